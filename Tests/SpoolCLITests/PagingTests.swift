import Foundation
import Spool
import Testing

/// Paging through 10,000 dead jobs with cursors, then retrying them all.
@Suite struct PagingTests {
    @Test func pagesThroughTenThousandDeadJobsAndRetriesThemAll() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let ids = try cli.makeDead(10_000, queue: "big")
        #expect(try cli.queue("big").stats().dead == 10_000)

        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            var arguments = ["jobs", "big", "--state", "dead", "--limit", "1000", "--json"]
            if let cursor { arguments += ["--cursor", cursor] }
            let page = try cli.run(arguments)
            #expect(page.exitCode == 0, "\(page)")
            let document = try page.json()
            let jobs = try #require(document["jobs"] as? [[String: Any]])
            seen += jobs.compactMap { $0["id"] as? String }
            cursor = document["nextCursor"] as? String
            pages += 1
        } while cursor != nil && pages < 20
        #expect(pages <= 11)
        #expect(seen.count == 10_000)
        #expect(Set(seen).count == 10_000)
        #expect(Set(seen) == Set(ids))

        let retry = try cli.run(["job", "retry", "big", "--all-dead", "--json"])
        #expect(retry.exitCode == 0, "\(retry)")
        #expect(try retry.json()["retried"] as? Int == 10_000)
        let stats = try cli.queue("big").stats()
        #expect(stats.dead == 0)
        #expect(stats.ready == 10_000)
    }

    @Test func retryAllDeadFiltersByKind() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        _ = try cli.makeDead(4, queue: "q", kind: "a")
        _ = try cli.makeDead(2, queue: "q", kind: "b")
        let retry = try cli.run(["job", "retry", "q", "--all-dead", "--kind", "b", "--json"])
        #expect(retry.exitCode == 0, "\(retry)")
        let document = try retry.json()
        #expect(document["retried"] as? Int == 2)
        #expect(document["kind"] as? String == "b")
        let stats = try cli.queue("q").stats()
        #expect(stats.dead == 4 && stats.ready == 2)
    }
}
