using Bytestream.Cli;

// The `bytestream` tool: demo, serve, upload, download, put, get, cat, status. See BytestreamApp for the commands
// and ExitCodes for what the process returns.
return await BytestreamApp.RunAsync(args);
