import Foundation

/// A webhook endpoint that was switched off (after it answered 410 Gone), with why and when.
public struct WebhookDisabledEndpoint: Sendable, Hashable {
    /// The endpoint's name.
    public var name: String
    /// Why it was disabled (status and response excerpt).
    public var reason: String
    /// When it was disabled.
    public var disabledAt: Date

    /// A record.
    public init(name: String, reason: String, disabledAt: Date) {
        self.name = name
        self.reason = reason
        self.disabledAt = disabledAt
    }

    /// `"2026-11-23T18:45:21Z: <reason>"`.
    var summary: String {
        "since \(disabledAt.formatted(.iso8601)): \(reason)"
    }
}
