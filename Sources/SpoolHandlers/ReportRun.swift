/// What one `spool.report` run produced: the manifest (also written next to the files) and the delivery jobs
/// the definition asks for, built once so the manifest's `deliveries` and the jobs enqueued are the same.
public struct ReportRun: Sendable {
    /// The files written, rows, parameters, duration and delivery records.
    public var manifest: ReportManifest
    /// The jobs to enqueue now that the files are in place (empty without a `delivery:` section).
    public var deliveries: [ReportDeliveryJob]
}
