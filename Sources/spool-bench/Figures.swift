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
