namespace Daos.Harness.Checkers;

/// <summary>The verdict on a history.</summary>
public enum LinearizabilityOutcome : byte
{
    /// <summary>Some order of the operations respects real time and the model.</summary>
    Linearizable = 0,

    /// <summary>No such order exists.</summary>
    Violation = 1,

    /// <summary>The search exceeded its step budget before deciding.</summary>
    Unknown = 2,
}
