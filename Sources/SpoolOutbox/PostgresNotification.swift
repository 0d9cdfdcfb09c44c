/// A `NOTIFY` received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel name, as given to `NOTIFY` / `pg_notify`.
    public let channel: String
    /// The payload (empty when none was sent).
    public let payload: String
    /// Process id of the server backend that sent it.
    public let processID: Int32

    /// A notification from its parts.
    public init(channel: String, payload: String, processID: Int32) {
        self.channel = channel
        self.payload = payload
        self.processID = processID
    }
}
