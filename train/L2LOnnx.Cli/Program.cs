using L2LOnnx.Cli;

return await CliApp.Run(args);
