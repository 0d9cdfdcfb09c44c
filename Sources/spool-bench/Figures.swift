import Foundation

/// One measured quantity across repeated runs: the table shows median, min and max.
struct Figure: Codable {
    var workload: String
    var metric: String
    var unit: String
    var runs: [Double]
    var target: String?
    /// Positive when higher is better (throughput), negative when lower is better (latency, memory).
    var higherIsBetter: Bool
    var targetValue: Double?

    var median: Double {
        let sorted = runs.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    var min: Double { runs.min() ?? .nan }
    var max: Double { runs.max() ?? .nan }

    /// How the median compares with the target: "+12 %" (better) or "-8 % (missed)".
    var versusTarget: String {
        guard let targetValue, targetValue > 0 else { return "" }
        let ratio = higherIsBetter ? median / targetValue : targetValue / median
        let percent = Int(((ratio - 1) * 100).rounded())
        return ratio >= 1 ? "meets (\(percent >= 0 ? "+" : "")\(percent) %)" : "MISSES (\(percent) %)"
    }
}

/// Prints the figures as an aligned table.
func printTable(_ figures: [Figure], title: String) {
    print("\n== \(title)")
    let header = ["workload", "metric", "median", "min", "max", "unit", "target", "vs target"]
    var rows = [header]
    for figure in figures {
        rows.append([figure.workload, figure.metric, format(figure.median), format(figure.min), format(figure.max),
                     figure.unit, figure.target ?? "", figure.versusTarget])
    }
    let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}

func format(_ value: Double) -> String {
    if value.isNaN { return "-" }
    if abs(value) >= 1000 { return String(Int(value.rounded())) }
    if abs(value) >= 10 { return String(format: "%.1f", value) }
    return String(format: "%.3f", value)
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let index = Swift.min(sorted.count - 1, Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[index]
}

/// Prints Spool ÷ Sidekiq for workloads 1–4, from the JSON lines scripts/sidekiq/bench.rb wrote.
func printComparison(_ figures: [Figure], sidekiqFile: String) {
    guard let text = try? String(contentsOfFile: sidekiqFile, encoding: .utf8) else {
        print("(no Sidekiq figures at \(sidekiqFile))")
        return
    }
    var sidekiq: [String: [Double]] = [:]
    for line in text.split(separator: "\n") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let metric = object["metric"] as? String else { continue }
        for (key, value) in object where key != "metric" {
            if let number = (value as? NSNumber)?.doubleValue { sidekiq["\(metric).\(key)", default: []].append(number) }
        }
    }
    func median(_ values: [Double]) -> Double { Figure(workload: "", metric: "", unit: "", runs: values, higherIsBetter: true).median }
    func spool(_ workload: String, _ metric: String) -> Double? {
        figures.first { $0.workload.hasPrefix(workload) && $0.metric == metric }?.median
    }
    print("\n== Spool ÷ Sidekiq (same Redis, same job counts; medians; > 1 means Spool is better)")
    var rows: [[String]] = [["workload", "Spool", "Sidekiq", "ratio"]]
    func add(_ name: String, _ spoolValue: Double?, _ sidekiqValues: [Double]?, lowerIsBetter: Bool = false) {
        guard let spoolValue, let values = sidekiqValues, !values.isEmpty else { return }
        let other = median(values)
        let ratio = lowerIsBetter ? other / spoolValue : spoolValue / other
        rows.append([name, format(spoolValue), format(other), String(format: "%.2f×", ratio)])
    }
    add("1 enqueue one/call (jobs/s)", spool("1 enqueue one", "throughput"), sidekiq["enqueue-one.value"])
    add("2 enqueue many ×1000 (jobs/s)", spool("2 enqueue many", "throughput"), sidekiq["enqueue-many.value"])
    for concurrency in [1, 10, 50] {
        add("3 process noop c=\(concurrency) (jobs/s)", spool("3 process noop c=\(concurrency)", "throughput"), sidekiq["process-c\(concurrency).value"])
    }
    add("4 latency p50 (ms)", spool("4 latency", "p50"), sidekiq["latency.p50"], lowerIsBetter: true)
    add("4 latency p99 (ms)", spool("4 latency", "p99"), sidekiq["latency.p99"], lowerIsBetter: true)
    let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows { print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")) }
    print("(Sidekiq's fetch is BRPOP with no lease: a crashed worker loses its jobs; Spool's figures include leases and acknowledgements.)")
}
