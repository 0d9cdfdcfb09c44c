/// Decides which queue a worker asks next when it serves several.
///
/// - `.weighted`: smooth weighted round robin over the queues that have work, so over any stretch each queue
///   gets its share of fetches (weights 3:1 → 75 % / 25 %) and a backlog in a heavy queue never starves a
///   light one.
/// - `.strict`: always the first queue in the list that has work (priority order between queues).
///
/// Not thread-safe; give each worker thread its own.
public struct QueueSelector: Sendable {
    /// How queues are taken.
    public enum Mode: String, Sendable, Codable {
        /// By weight.
        case weighted
        /// In list order.
        case strict
    }

    /// The queues and their weights (≥ 1), in priority order for `.strict`.
    public let queues: [(name: String, weight: Int)]
    /// The mode.
    public let mode: Mode
    private var current: [Int]

    /// Creates a selector; weights below 1 count as 1.
    public init(queues: [(name: String, weight: Int)], mode: Mode) {
        self.queues = queues.map { ($0.name, max(1, $0.weight)) }
        self.mode = mode
        current = Array(repeating: 0, count: queues.count)
    }

    /// The next queue to ask among those for which `hasWork` is true (all, by default); nil when none.
    public mutating func next(where hasWork: (String) -> Bool = { _ in true }) -> String? {
        switch mode {
        case .strict:
            return queues.first { hasWork($0.name) }?.name
        case .weighted:
            var total = 0
            var best: Int?
            for (i, queue) in queues.enumerated() where hasWork(queue.name) {
                current[i] += queue.weight
                total += queue.weight
                if best == nil || current[i] > current[best ?? i] { best = i }
            }
            guard let chosen = best else { return nil }
            current[chosen] -= total
            return queues[chosen].name
        }
    }
}
