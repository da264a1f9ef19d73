global using L2LOnnx.Tests.Support;
