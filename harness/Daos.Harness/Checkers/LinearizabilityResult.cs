namespace Daos.Harness.Checkers;

/// <summary>The outcome of <see cref="LinearizabilityChecker.CheckKv"/>.</summary>
/// <param name="Outcome">The verdict.</param>
/// <param name="Key">For a violation (or an undecided search), the key whose sub-history failed; otherwise null.</param>
/// <param name="OperationsChecked">Operations in the history (after dropping gets without a response).</param>
/// <param name="Steps">Search steps taken over all keys.</param>
public sealed record LinearizabilityResult(LinearizabilityOutcome Outcome, string? Key, int OperationsChecked, long Steps)
{
    /// <summary>True for <see cref="LinearizabilityOutcome.Linearizable"/>.</summary>
    public bool IsLinearizable => Outcome == LinearizabilityOutcome.Linearizable;
}
