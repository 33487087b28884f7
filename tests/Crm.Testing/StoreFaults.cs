using System.Collections.Concurrent;
using System.Reflection;

namespace Crm.Testing;

/// <summary>
/// Injects faults into a store (any interface) for the background-loop tests: while a method is armed, each call
/// answers a faulted task with the armed exception instead of reaching the real store; faulted and passed calls are
/// counted per method, so a test can wait until a loop met the fault several times and then went on.
/// </summary>
public sealed class StoreFaults
{
    private readonly ConcurrentDictionary<string, Func<Exception>> _armed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _faulted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _passed = new(StringComparer.Ordinal);

    /// <summary>The faults every background loop is tested with: the kinds that slipped through before.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["timeout", "io", "bug"];

    /// <summary>
    /// The exception of a fault kind: a command timeout (an <see cref="OperationCanceledException"/> not caused by
    /// stopping), an I/O error, or a bug.
    /// </summary>
    public static Func<Exception> Of(string kind) => kind switch
    {
        "timeout" => () => new TaskCanceledException("A command timed out."),
        "io" => () => new IOException("The connection was reset."),
        _ => () => new InvalidOperationException("A bug in a store."),
    };

    /// <summary>From now on, calls of <paramref name="method"/> fail with what <paramref name="exception"/> makes.</summary>
    public void Arm(string method, Func<Exception> exception) => _armed[method] = exception;

    /// <summary>Calls of <paramref name="method"/> reach the store again.</summary>
    public void Disarm(string method) => _armed.TryRemove(method, out _);

    public int Faulted(string method) => _faulted.GetValueOrDefault(method);

    public int Passed(string method) => _passed.GetValueOrDefault(method);

    /// <summary>Wraps <paramref name="store"/> so calls through <typeparamref name="T"/> can be made to fail.</summary>
    public T Wrap<T>(T store) where T : class
    {
        var proxy = DispatchProxy.Create<T, FaultingProxy>();
        var faulting = (FaultingProxy)(object)proxy;
        faulting.Target = store;
        faulting.Faults = this;
        return proxy;
    }

    /// <summary>The proxy behind <see cref="Wrap{T}"/>; public only because DispatchProxy needs it.</summary>
    public class FaultingProxy : DispatchProxy
    {
        private static readonly MethodInfo FromException = typeof(Task).GetMethods()
            .Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethodDefinition);

        internal object Target { get; set; } = null!;

        internal StoreFaults Faults { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (Faults._armed.TryGetValue(targetMethod.Name, out var fault))
            {
                Faults._faulted.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
                var exception = fault();
                var returns = targetMethod.ReturnType;
                if (returns == typeof(Task))
                {
                    return Task.FromException(exception);
                }

                if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
                {
                    return FromException.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [exception]);
                }

                throw exception;
            }

            try
            {
                var result = targetMethod.Invoke(Target, args);
                Faults._passed.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
                return result;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
