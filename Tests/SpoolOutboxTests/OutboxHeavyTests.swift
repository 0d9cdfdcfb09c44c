import Testing

/// The outbox tests that load the machine (the 8-producer crash test) or measure milliseconds (timing):
/// nested in one serialized suite so they never run at the same time, whatever else runs beside them.
@Suite("Outbox load and timing", .serialized)
struct OutboxHeavyTests {}
