/// Where a job is in its life: scheduled → ready → active → done | scheduled (retry) | dead.
public enum JobState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting for its run-at time (delayed, or waiting out a retry backoff).
    case scheduled
    /// Runnable; waiting for a worker.
    case ready
    /// Leased by a worker and running.
    case active
    /// Completed successfully.
    case done
    /// Failed for good (attempts exhausted, permanent failure, stalled too often); kept for inspection and retry.
    case dead

    /// Parses a state name, accepting `delayed` for `scheduled` and `completed` for `done`.
    public init?(name: String) {
        switch name.lowercased() {
        case "scheduled", "delayed": self = .scheduled
        case "ready", "waiting": self = .ready
        case "active", "running": self = .active
        case "done", "completed": self = .done
        case "dead", "failed": self = .dead
        default: return nil
        }
    }
}
