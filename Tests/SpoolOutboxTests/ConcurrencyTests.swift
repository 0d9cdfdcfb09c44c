import Foundation
import SpoolOutbox
import Testing

@Suite("Sharing one connection between threads")
struct ConcurrencyTests {
    @Test("8 threads using one connection are serialized: every answer is right, no update is lost")
    func eightThreads() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).counter (n int NOT NULL)")
            try db.execute("INSERT INTO \(schema).counter VALUES (0)")
            let threads = 8
            let rounds = 40
            let failures = Shared<[String]>([])
            let done = DispatchSemaphore(value: 0)
            for thread in 0..<threads {
                Thread.detachNewThread {
                    for round in 0..<rounds {
                        do {
                            let value = thread * 1000 + round
                            let doubled = try db.query("SELECT $1::int8 * 2", [.int(value)]).int(0, 0)
                            if doubled != value * 2 { failures.value.withLock { $0.append("\(value) → \(String(describing: doubled))") } }
                            try db.transaction { tx in
                                let current = try tx.query("SELECT n FROM \(schema).counter").int(0, 0) ?? -1
                                try tx.execute("UPDATE \(schema).counter SET n = $1", [.int(current + 1)])
                            }
                            if round % 10 == 0 {
                                var streamed = 0
                                try db.streamQuery("SELECT generate_series(1, 100)") { _ in streamed += 1 }
                                if streamed != 100 { failures.value.withLock { $0.append("streamed \(streamed)") } }
                            }
                        } catch {
                            failures.value.withLock { $0.append("\(error)") }
                        }
                    }
                    done.signal()
                }
            }
            for _ in 0..<threads { done.wait() }
            #expect(failures.value.withLock { $0 } == [])
            #expect(try db.query("SELECT n FROM \(schema).counter").int(0, 0) == threads * rounds)
        }
    }
}
