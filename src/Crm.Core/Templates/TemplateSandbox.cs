using Crm.Campaigns;
using Crm.Campaigns.Rendering;
using System.Text;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using Microsoft.Extensions.FileProviders;

namespace Crm.Templates;

/// <summary>
/// Runs untrusted Liquid: no file system (<c>include</c>, <c>render</c> and <c>from</c> are refused when parsing),
/// and every rendering within a <see cref="TemplateLimits"/> budget of steps, output, value sizes, range lengths and time.
/// </summary>
internal static class TemplateSandbox
{
    private const string BudgetKey = "crm.render-budget";

    // Filters whose result can be far larger than their input: checked before they run, so one call cannot allocate gigabytes.
    private static readonly HashSet<string> GrowingFilters = new(StringComparer.Ordinal) { "append", "prepend", "replace", "replace_first", "replace_last", "join", "concat" };

    public static FluidParser Parser { get; } = new();

    public static TemplateOptions Options { get; } = CreateOptions();

    /// <summary>Parses <paramref name="source"/> and rewrites it to run inside the sandbox.</summary>
    /// <returns>False with a readable error when it does not parse or uses a refused tag.</returns>
    public static bool TryParse(string source, out IFluidTemplate? template, out string? error)
    {
        if (!Parser.TryParse(source, out var parsed, out var parseError))
        {
            template = null;
            error = parseError;
            return false;
        }

        var rewriter = new SandboxRewriter();
        var rewritten = rewriter.VisitTemplate(parsed);
        if (rewriter.RefusedTags.Count > 0)
        {
            template = null;
            error = $"The tag '{rewriter.RefusedTags[0]}' is not allowed: templates cannot read files or other templates.";
            return false;
        }

        template = rewritten;
        error = null;
        return true;
    }

    /// <summary>Renders one template within the budget.</summary>
    /// <exception cref="TemplateRenderException">A filter threw or a limit was exceeded.</exception>
    public static async ValueTask<string> RenderAsync(IFluidTemplate template, TemplateContext context, System.Text.Encodings.Web.TextEncoder encoder, RenderBudget budget)
    {
        context.AmbientValues[BudgetKey] = budget;
        context.MaxSteps = budget.Limits.MaxSteps;
        // The thread's builder: it keeps the capacity the largest rendering on this thread grew it to.
        var output = BuilderCache.Rent(0);
        using var writer = new BoundedWriter(budget, output);
        try
        {
            await template.RenderAsync(writer, encoder, context).ConfigureAwait(false);
        }
        catch (TemplateRenderException)
        {
            throw;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase))
        {
            // Fluid words both its step and its recursion limit as "a cyclic include", which this sandbox has none of.
            throw new TemplateRenderException($"The template runs more than {budget.Limits.MaxSteps:N0} steps (loop iterations count) or nests deeper than {Options.MaxRecursion} levels.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Liquid's own errors (a filter dividing by zero, too many steps, too deep) are about this recipient's data.
            throw new TemplateRenderException($"The template failed: {ex.Message}", ex);
        }

        var rendered = writer.ToString();
        BuilderCache.Return(output);
        return rendered;
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions { FileProvider = new NullFileProvider(), MaxRecursion = 20 };
        foreach (var (name, filter) in options.Filters.ToList())
        {
            options.Filters.AddFilter(name, GrowingFilters.Contains(name) ? PreChecked(name, filter) : PostChecked(filter));
        }

        options.Assigned = (_, value, context) => new ValueTask<FluidValue>(Check(value, BudgetOf(context)));
        options.Captured = (_, value, context) => new ValueTask<FluidValue>(Check(value, BudgetOf(context)));
        return options;
    }

    private static FilterDelegate PostChecked(FilterDelegate filter) => async (input, arguments, context) =>
    {
        var budget = BudgetOf(context);
        budget.CheckTime();
        return Check(await filter(input, arguments, context).ConfigureAwait(false), budget);
    };

    private static FilterDelegate PreChecked(string name, FilterDelegate filter) => async (input, arguments, context) =>
    {
        var budget = BudgetOf(context);
        budget.CheckTime();
        budget.CheckLength(name, EstimateLength(name, input, arguments));
        return Check(await filter(input, arguments, context).ConfigureAwait(false), budget);
    };

    /// <summary>An upper bound of the result's length, computed without building it.</summary>
    private static long EstimateLength(string filter, FluidValue input, FilterArguments arguments)
    {
        var text = input.Type == FluidValues.Array ? "" : input.ToStringValue();
        switch (filter)
        {
            case "append" or "prepend":
                return (long)text.Length + arguments.At(0).ToStringValue().Length;
            case "replace" or "replace_first" or "replace_last":
                var search = arguments.At(0).ToStringValue();
                var replacement = arguments.At(1).ToStringValue();
                var occurrences = filter == "replace" ? Occurrences(text, search) : 1;
                return text.Length + (occurrences * (long)Math.Max(0, replacement.Length - search.Length));
            case "join":
                var separator = arguments.At(0).ToStringValue().Length;
                return input.Type == FluidValues.Array
                    ? ((ArrayValue)input).Values.Sum(v => (long)v.ToStringValue().Length + separator)
                    : text.Length;
            case "concat":
                var left = input.Type == FluidValues.Array ? ((ArrayValue)input).Values.Count : 1;
                var right = arguments.At(0) is ArrayValue array ? array.Values.Count : 1;
                return (long)left + right;
            default:
                return text.Length;
        }
    }

    private static long Occurrences(string text, string search)
    {
        if (search.Length == 0)
        {
            // Liquid inserts the replacement between every character.
            return text.Length + 1;
        }

        long count = 0;
        for (var at = text.IndexOf(search, StringComparison.Ordinal); at >= 0; at = text.IndexOf(search, at + search.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static FluidValue Check(FluidValue value, RenderBudget budget)
    {
        budget.CheckTime();
        switch (value)
        {
            case StringValue text:
                budget.CheckLength("a value", text.ToStringValue().Length);
                break;
            case ArrayValue array:
                budget.CheckLength("a list", array.Values.Count);
                break;
        }

        return value;
    }

    private static RenderBudget BudgetOf(TemplateContext context)
        => context.AmbientValues.TryGetValue(BudgetKey, out var value) && value is RenderBudget budget
            ? budget
            : throw new InvalidOperationException("Templates are rendered through TemplateSandbox.RenderAsync.");

    /// <summary>Limits and the clock of one rendering (subject, body and text share it).</summary>
    internal sealed class RenderBudget(TemplateLimits limits, TimeProvider time)
    {
        // The clock is read at every 16th check: a check comes with every write and filter, dozens per message, and
        // each bounded in size, so 16 of them are far within any time limit; the clock reads were 2 % of a campaign's CPU.
        private const int ChecksPerClockRead = 16;

        private readonly long _started = time.GetTimestamp();
        private int _checks;

        public TemplateLimits Limits { get; } = limits;

        public void CheckTime()
        {
            if (++_checks % ChecksPerClockRead != 0)
            {
                return;
            }

            if (time.GetElapsedTime(_started) > Limits.Timeout)
            {
                throw new TemplateRenderException($"The template took longer than {Limits.Timeout.TotalSeconds:0.###} s to render.");
            }
        }

        public void CheckLength(string what, long length)
        {
            if (length > Limits.MaxOutputLength)
            {
                throw new TemplateRenderException($"The template builds {what} longer than {Limits.MaxOutputLength:N0} characters.");
            }
        }
    }

    /// <summary>Collects output and refuses to grow past the limit.</summary>
    private sealed class BoundedWriter(RenderBudget budget, StringBuilder output) : StringWriter(output, System.Globalization.CultureInfo.InvariantCulture)
    {
        public override void Write(char value)
        {
            Grow(1);
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Grow(count);
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Grow(buffer.Length);
            base.Write(buffer);
        }

        public override void Write(string? value)
        {
            Grow(value?.Length ?? 0);
            base.Write(value);
        }

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char[] buffer, int index, int count)
        {
            Write(buffer, index, count);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return Task.CompletedTask;
        }

        private void Grow(int count)
        {
            budget.CheckTime();
            budget.CheckLength("output", (long)GetStringBuilder().Length + count);
        }
    }

    /// <summary>Refuses file-reading tags and bounds ranges before they are materialised.</summary>
    private sealed class SandboxRewriter : AstRewriter
    {
        public List<string> RefusedTags { get; } = [];

        protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
        {
            RefusedTags.Add("include");
            return includeStatement;
        }

        protected override Statement VisitRenderStatement(RenderStatement renderStatement)
        {
            RefusedTags.Add("render");
            return renderStatement;
        }

        protected override Statement VisitFromStatement(FromStatement fromStatement)
        {
            RefusedTags.Add("from");
            return fromStatement;
        }

        protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
            => new BoundedRangeExpression(Visit(rangeExpression.From), Visit(rangeExpression.To));
    }

    /// <summary><c>(from..to)</c> that checks its length first: Liquid builds the whole list, so <c>(1..100000000)</c> took gigabytes.</summary>
    private sealed class BoundedRangeExpression(Expression from, Expression to) : Expression
    {
        public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var budget = BudgetOf(context);
            var start = Convert.ToInt32(Math.Clamp((await from.EvaluateAsync(context).ConfigureAwait(false)).ToNumberValue(), int.MinValue, int.MaxValue));
            var end = Convert.ToInt32(Math.Clamp((await to.EvaluateAsync(context).ConfigureAwait(false)).ToNumberValue(), int.MinValue, int.MaxValue));
            if ((long)end - start + 1 > budget.Limits.MaxRangeLength)
            {
                throw new TemplateRenderException($"The range ({start}..{end}) is longer than {budget.Limits.MaxRangeLength:N0} elements.");
            }

            return await new RangeExpression(new LiteralExpression(NumberValue.Create(start)), new LiteralExpression(NumberValue.Create(end))).EvaluateAsync(context).ConfigureAwait(false);
        }
    }
}
