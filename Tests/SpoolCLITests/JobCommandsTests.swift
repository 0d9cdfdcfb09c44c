import Foundation
import Spool
import Testing

/// `spool enqueue`, `spool jobs`, `spool job show|retry|delete` against a real Redis.
@Suite struct JobCommandsTests {
    @Test func enqueueReportsCreatedExistingAndDuplicate() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let created = try cli.run(["enqueue", "mail", "send", "--payload", #"{"to":"a@b.c"}"#, "--id", "j1", "--priority", "5",
                                   "--max-attempts", "3", "--json"])
        #expect(created.exitCode == 0, "\(created)")
        let document = try created.json()
        #expect(document["id"] as? String == "j1")
        #expect(document["outcome"] as? String == "created")
        #expect(document["state"] as? String == "ready")
        let job = try #require(try cli.queue("mail").job(id: "j1"))
        #expect(job.priority == 5 && job.maxAttempts == 3 && job.payloadText == #"{"to":"a@b.c"}"#)

        let again = try cli.run(["enqueue", "mail", "send", "--id", "j1", "--json"])
        #expect(try again.json()["outcome"] as? String == "exists")

        let delayed = try cli.run(["enqueue", "mail", "send", "--delay", "30s", "--json"])
        #expect(try delayed.json()["state"] as? String == "scheduled")
        let at = try cli.run(["enqueue", "mail", "send", "--at", "2099-01-01T00:00:00Z", "--json"])
        #expect(try at.json()["state"] as? String == "scheduled")

        let first = try cli.run(["enqueue", "mail", "send", "--unique", "u1", "--unique-for", "1h", "--json"])
        let holder = try #require(try first.json()["id"] as? String)
        let duplicate = try cli.run(["enqueue", "mail", "send", "--unique", "u1", "--json"])
        #expect(try duplicate.json()["outcome"] as? String == "duplicate")
        #expect(try duplicate.json()["id"] as? String == holder)

        let file = NSTemporaryDirectory() + "spool-payload-\(UUID().uuidString).json"
        try Data(#"{"from":"file"}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try cli.run(["enqueue", "mail", "send", "--payload", "@" + file, "--id", "f1"])
        #expect(fromFile.exitCode == 0, "\(fromFile)")
        #expect(fromFile.stdout.hasPrefix("f1"))
        #expect(try cli.queue("mail").job(id: "f1")?.payloadText == #"{"from":"file"}"#)

        let badJSON = try cli.run(["enqueue", "mail", "send", "--payload", "{nope"])
        #expect(badJSON.exitCode == 2, "\(badJSON)")
        let both = try cli.run(["enqueue", "mail", "send", "--delay", "1s", "--at", "2099-01-01T00:00:00Z"])
        #expect(both.exitCode == 2, "\(both)")
    }

    @Test func jobsListsAPageWithItsCursor() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let queue = try cli.queue("q")
        for index in 0..<3 { try queue.enqueue(kind: index == 1 ? "other" : "k", json: "{}", options: JobOptions(id: "r\(index)")) }
        let page = try cli.run(["jobs", "q", "--state", "ready", "--limit", "2", "--json"])
        #expect(page.exitCode == 0, "\(page)")
        let document = try page.json()
        let jobs = try #require(document["jobs"] as? [[String: Any]])
        #expect(jobs.compactMap { $0["id"] as? String } == ["r0", "r1"])
        #expect(jobs.first?["kind"] as? String == "k")
        #expect(jobs.first?["state"] as? String == "ready")
        let cursor = try #require(document["nextCursor"] as? String)
        let rest = try cli.run(["jobs", "q", "--state", "ready", "--limit", "2", "--cursor", cursor, "--json"])
        let restDocument = try rest.json()
        #expect((restDocument["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["r2"])
        #expect(restDocument["nextCursor"] is NSNull)

        let kind = try cli.run(["jobs", "q", "--state", "ready", "--kind", "other", "--json"])
        #expect((try kind.json()["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["r1"])

        let human = try cli.run(["jobs", "q", "--state", "ready", "--limit", "2"])
        #expect(human.stdout.contains("next cursor: \(cursor)"), "\(human)")

        let badState = try cli.run(["jobs", "q", "--state", "sleeping"])
        #expect(badState.exitCode == 2, "\(badState)")
        let noQueue = try cli.run(["jobs", "nosuch", "--state", "ready"])
        #expect(noQueue.exitCode == 3, "\(noQueue)")
    }

    @Test func showRetryAndDeleteOneJob() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let ids = try cli.makeDead(2, queue: "q", kind: "report")
        let id = ids[0]

        let show = try cli.run(["job", "show", "q", id, "--json"])
        #expect(show.exitCode == 0, "\(show)")
        let job = try show.json()
        #expect(job["id"] as? String == id)
        #expect(job["kind"] as? String == "report")
        #expect(job["state"] as? String == "dead")
        #expect(job["attempts"] as? Int == 1)
        #expect((job["payload"] as? [String: Any])?["n"] as? Int == 0)
        #expect(job["lastError"] as? String == "boom \(id)")
        #expect((job["finishedAt"] as? String)?.hasSuffix("Z") == true)
        let errors = try #require(job["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["error"] as? String == "boom \(id)")
        #expect(errors.first?["attempt"] as? Int == 1)
        #expect(errors.first?["kind"] as? String == "permanent")

        let human = try cli.run(["job", "show", "q", id])
        #expect(human.stdout.contains("error history:") && human.stdout.contains("boom \(id)"), "\(human)")

        let retry = try cli.run(["job", "retry", "q", id, "--json"])
        #expect(retry.exitCode == 0, "\(retry)")
        #expect(try retry.json()["retried"] as? Int == 1)
        #expect(try cli.queue("q").job(id: id)?.state == .ready)
        let notDead = try cli.run(["job", "retry", "q", id])
        #expect(notDead.exitCode == 1, "\(notDead)")

        let delete = try cli.run(["job", "delete", "q", id, "--json"])
        #expect(delete.exitCode == 0, "\(delete)")
        #expect(try delete.json()["deleted"] as? Bool == true)
        #expect(try cli.queue("q").job(id: id) == nil)

        for command in [["job", "show", "q", "missing"], ["job", "retry", "q", "missing"], ["job", "delete", "q", "missing"]] {
            let result = try cli.run(command)
            #expect(result.exitCode == 3, "\(command): \(result)")
            #expect(result.stderr.contains("missing"))
        }
    }
}
