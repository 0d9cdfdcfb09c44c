import Foundation
import Spool
import Testing

@Suite("Ordering and queue selection")
struct OrderingTests {
    @Test("10,000 jobs come out by priority, FIFO within a priority")
    func priorityAndFIFO() throws {
        let fixture = try QueueFixture("order")
        let queue = try fixture.queue()
        var generator = SplitMix64(seed: 7)
        let priorities = (0..<10_000).map { _ in Int.random(in: -3...3, using: &generator) }
        _ = try queue.enqueue(QueueFixture.jobs(10_000) { JobOptions(priority: priorities[$0]) })
        var order: [Int] = []
        while true {
            let batch = try queue.fetch(count: 500, tokenPrefix: "w").jobs
            if batch.isEmpty { break }
            order.append(contentsOf: batch.compactMap(\.n))
        }
        let expected = (0..<10_000).sorted { a, b in
            priorities[a] != priorities[b] ? priorities[a] > priorities[b] : a < b
        }
        #expect(order.count == 10_000)
        #expect(order == expected)
    }

    @Test("weighted selection across two backlogged queues follows the weights within ±10 %")
    func weighted() throws {
        let fixture = try QueueFixture("weight")
        let heavy = try fixture.queue("heavy")
        let light = try fixture.queue("light")
        _ = try heavy.enqueue(QueueFixture.jobs(3000))
        _ = try light.enqueue(QueueFixture.jobs(3000))
        var selector = QueueSelector(queues: [("heavy", 3), ("light", 1)], mode: .weighted)
        var taken = ["heavy": 0, "light": 0]
        for _ in 0..<2000 {
            guard let name = selector.next() else { Issue.record("no queue chosen"); break }
            let queue = name == "heavy" ? heavy : light
            taken[name, default: 0] += try queue.fetch(count: 1, tokenPrefix: "w").jobs.count
        }
        let heavyShare = Double(taken["heavy"] ?? 0) / 2000
        #expect(abs(heavyShare - 0.75) <= 0.075, "heavy got \(heavyShare)")
        #expect(taken["light"] ?? 0 > 0)
    }

    @Test("strict selection drains the first queue before the second")
    func strict() throws {
        let fixture = try QueueFixture("strict")
        let first = try fixture.queue("first")
        let second = try fixture.queue("second")
        _ = try first.enqueue(QueueFixture.jobs(300))
        _ = try second.enqueue(QueueFixture.jobs(300))
        var selector = QueueSelector(queues: [("first", 1), ("second", 1)], mode: .strict)
        var empty: Set<String> = []
        var sequence: [String] = []
        while let name = selector.next(where: { !empty.contains($0) }) {
            let queue = name == "first" ? first : second
            let jobs = try queue.fetch(count: 7, tokenPrefix: "w").jobs
            if jobs.isEmpty { empty.insert(name) } else { sequence.append(contentsOf: Array(repeating: name, count: jobs.count)) }
        }
        #expect(sequence.count == 600)
        #expect(sequence == Array(repeating: "first", count: 300) + Array(repeating: "second", count: 300))
    }

    @Test("a paused queue accepts jobs but hands out none until resumed")
    func pauseResume() throws {
        let fixture = try QueueFixture("pause")
        let queue = try fixture.queue()
        try queue.pause()
        _ = try queue.enqueue(QueueFixture.jobs(3))
        let paused = try queue.fetch(count: 10, tokenPrefix: "w")
        #expect(paused.paused && paused.jobs.isEmpty)
        #expect(try queue.stats().paused && queue.stats().ready == 3)
        try queue.resume()
        #expect(try queue.fetch(count: 10, tokenPrefix: "w").jobs.count == 3)
    }
}
