using System.CommandLine;
using System.Globalization;
using Daos.Client;
using Daos.Client.Retries;
using Daos.Transport;

namespace Daos.Tool.Commands;

/// <summary>
/// The connection options every <c>dmg</c> and <c>daos</c> command takes (<c>--address tcp://host:port</c>, repeatable,
/// and <c>--system NAME</c>), and the runner that connects a <see cref="DaosClient"/> over TCP, runs the command and turns
/// a <see cref="DaosException"/> into one line on the error writer and exit code 1.
/// </summary>
internal sealed class ClientCommandRunner
{
    /// <summary>The address a server started with defaults answers on.</summary>
    public const string AddressDefault = "tcp://127.0.0.1:10001";

    private readonly Option<string[]> _address = new("--address", "-a")
    {
        Description = "Management endpoint of the system, tcp://host:port (repeat for several replicas)",
        DefaultValueFactory = _ => [AddressDefault],
        Recursive = true,
    };

    private readonly Option<string> _systemName = new("--system")
    {
        Description = "System name the server was configured with",
        DefaultValueFactory = _ => "daos_server",
        Recursive = true,
    };

    private readonly Option<double> _timeoutSeconds = new("--timeout")
    {
        Description = "Seconds to wait for each answer from the system",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    /// <summary>Adds the connection options to a top-level command (they apply to all of its subcommands).</summary>
    public ClientCommandRunner(Command topLevel)
    {
        topLevel.Options.Add(_address);
        topLevel.Options.Add(_systemName);
        topLevel.Options.Add(_timeoutSeconds);
    }

    /// <summary>Sets <paramref name="command"/>'s action: connect, run <paramref name="body"/>, disconnect.</summary>
    public void SetClientAction(Command command, Func<DaosClient, ParseResult, TextWriter, CancellationToken, Task> body)
    {
        command.SetAction(async (result, ct) =>
        {
            TextWriter output = result.InvocationConfiguration.Output;
            TextWriter error = result.InvocationConfiguration.Error;
            double seconds = result.GetValue(_timeoutSeconds);
            try
            {
                if (!(seconds is > 0 and <= 3600))
                {
                    throw new DaosException(DaosError.InvalidArgument, $"--timeout must be from 0 to 3600 seconds, not {seconds}");
                }

                var options = new DaosClientOptions
                {
                    SystemName = result.GetValue(_systemName)!,
                    ManagementEndpoints = result.GetValue(_address)!,
                    Retry = new RetryPolicy { RetriesMax = 3, BackoffInitial = TimeSpan.FromMilliseconds(50), BackoffMax = TimeSpan.FromMilliseconds(500) },
                    Transport = new TransportOptions { RequestTimeout = TimeSpan.FromSeconds(seconds) },
                };
                await using DaosClient client = await DaosClient.ConnectAsync(options, ct).ConfigureAwait(false);
                await body(client, result, output, ct).ConfigureAwait(false);
                return 0;
            }
            catch (DaosException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
    }

    /// <summary>Parses a size as DAOS tools write it: bytes, or a number with K/M/G/T (powers of 1024, optional "iB" or "B").</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for anything else.</exception>
    public static long ParseSize(string text, string option)
    {
        string s = text.Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.'))
        {
            end++;
        }

        string unit = s[end..].Trim().ToUpperInvariant();
        long multiplier = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (multiplier == 0 || !double.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0 || value * multiplier > long.MaxValue)
        {
            throw new DaosException(DaosError.InvalidArgument, $"{option}: '{text}' is not a size such as 4096, 64MiB or 1G");
        }

        return (long)(value * multiplier);
    }

    /// <summary>Formats bytes with a binary unit, as dmg prints them.</summary>
    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }
}
