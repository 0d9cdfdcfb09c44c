import ArgumentParser
import Spool

extension JobState: ExpressibleByArgument {
    /// Accepts `ready`, `scheduled`, `active`, `dead`, `done` (and the aliases `JobState(name:)` knows).
    public init?(argument: String) { self.init(name: argument) }

    /// The values shown in `--help`.
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
