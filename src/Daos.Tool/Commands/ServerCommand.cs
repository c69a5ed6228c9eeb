using System.CommandLine;
using System.Runtime.InteropServices;
using Daos.Server.Configuration;
using Daos.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>server [--config daos_server.yml] [--data DIR] [--host ADDRESS]</c>: runs a <c>daos_server</c> in the foreground
/// until Ctrl-C or SIGTERM, then stops its engines in order. Without a configuration it starts a single-node system
/// with its files in <c>./daos-data</c>.
/// </summary>
internal static class ServerCommand
{
    /// <summary>How long process exit waits for the engines' orderly stop after a signal.</summary>
    private static readonly TimeSpan StopWaitMax = TimeSpan.FromSeconds(120);

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-o") { Description = "Path of a daos_server.yml (default: a single-node system, see --data)" };
        var data = new Option<string>("--data") { Description = "Data directory of the default single-node system", DefaultValueFactory = _ => "daos-data" };
        var host = new Option<string>("--host") { Description = "Address the engines listen on and advertise to clients", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("server", "Run a daos_server: engines on TCP from a daos_server.yml, until Ctrl-C or SIGTERM") { config, data, host };
        command.SetAction((result, ct) => RunAsync(result.GetValue(config), result.GetValue(data)!, result.GetValue(host)!, result.InvocationConfiguration, ct));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, string dataDirectory, string host, InvocationConfiguration console, CancellationToken ct)
    {
        TextWriter output = console.Output;

        // The command line's own signal handling returns from Main a short while after Ctrl-C or SIGTERM even if this
        // action is still running; holding process exit until the engines have stopped keeps the stop orderly.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler waitForStop = (_, _) => stopped.Task.Wait(StopWaitMax);
        AppDomain.CurrentDomain.ProcessExit += waitForStop;
        try
        {
            return await RunServerAsync(configPath, dataDirectory, host, console, ct).ConfigureAwait(false);
        }
        finally
        {
            stopped.TrySetResult();
            AppDomain.CurrentDomain.ProcessExit -= waitForStop;
        }
    }

    private static async Task<int> RunServerAsync(string? configPath, string dataDirectory, string host, InvocationConfiguration console, CancellationToken ct)
    {
        TextWriter output = console.Output;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => StopOn(context, stop));
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => StopOn(context, stop));
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        }).SetMinimumLevel(LogLevel.Information).AddFilter("Daos.Transport", LogLevel.Warning));
        try
        {
            ServerConfig serverConfig = configPath is null ? ServerConfig.Default(dataDirectory) : ServerConfigLoader.Load(configPath);
            await output.WriteLineAsync(configPath is null
                ? $"no configuration given: single-node system '{serverConfig.Name}' in {Path.GetFullPath(dataDirectory)}"
                : $"configuration {Path.GetFullPath(configPath)}: system '{serverConfig.Name}'").ConfigureAwait(false);
            await using DaosServer server = await DaosServer.StartAsync(new DaosServerOptions { Config = serverConfig, ListenHost = host, LoggerFactory = loggers }, stop.Token).ConfigureAwait(false);
            await output.WriteLineAsync($"daos_server ready: system {server.SystemName}, ranks {string.Join(',', server.Ranks)}, management tcp://{server.ManagementAddress.Host}:{server.ManagementAddress.Port}").ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("shutting down").ConfigureAwait(false);
            }

            return 0;
        }
        catch (DaosException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("start interrupted").ConfigureAwait(false);
            return 1;
        }
    }

    private static void StopOn(PosixSignalContext context, CancellationTokenSource stop)
    {
        // The handler only asks for the orderly stop; the process exits when the engines have been stopped.
        context.Cancel = true;
        stop.Cancel();
    }
}
