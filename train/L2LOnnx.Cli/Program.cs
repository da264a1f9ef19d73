using L2LOnnx.Cli;

return await CliApp.Create().Parse(args).InvokeAsync();
