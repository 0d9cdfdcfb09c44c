import Foundation
import Spool
import SpoolTestSupport
import Testing

/// `spool purge`: counts first, refuses without a terminal or --yes, removes with --yes.
@Suite struct PurgeCommandTests {
    @Test func purgeRefusesWithoutTerminalAndDryRunRemovesNothing() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        _ = try cli.makeDead(5, queue: "q", kind: "a")
        _ = try cli.makeDead(3, queue: "q", kind: "b")

        let refused = try cli.run(["purge", "q", "--state", "dead"])
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("--yes"))
        #expect(try cli.queue("q").stats().dead == 8)

        let dry = try cli.run(["purge", "q", "--state", "dead", "--dry-run", "--json"])
        #expect(dry.exitCode == 0, "\(dry)")
        let dryDocument = try dry.json()
        #expect(dryDocument["matched"] as? Int == 8)
        #expect(dryDocument["removed"] as? Int == 0)
        #expect(dryDocument["dryRun"] as? Bool == true)
        #expect(try cli.queue("q").stats().dead == 8)

        let notOldEnough = try cli.run(["purge", "q", "--state", "dead", "--older-than", "7d", "--yes", "--json"])
        #expect(try notOldEnough.json()["matched"] as? Int == 0)
        #expect(try cli.queue("q").stats().dead == 8)

        let kind = try cli.run(["purge", "q", "--state", "dead", "--kind", "b", "--yes", "--json"])
        #expect(kind.exitCode == 0, "\(kind)")
        #expect(try kind.json()["removed"] as? Int == 3)
        #expect(try cli.queue("q").stats().dead == 5)

        usleep(600_000)
        let all = try cli.run(["purge", "q", "--state", "dead", "--older-than", "500ms", "--yes"])
        #expect(all.exitCode == 0, "\(all)")
        #expect(all.stdout.contains("removed 5"), "\(all)")
        #expect(try cli.queue("q").stats().dead == 0)
    }

    /// Runs `spool ARGS` with its standard input on a pseudo-terminal, waits for the y/N prompt on stderr and
    /// types `answer`; returns the exit code and both outputs.
    func purgeOnTerminal(_ cli: SpoolCLI, _ arguments: [String], answer: String) throws -> (exit: Int, stdout: String, stderr: String) {
        let script = """
        import json, os, pty, select, subprocess, sys, time
        master, slave = pty.openpty()
        child = subprocess.Popen(sys.argv[3:], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        err = b""
        deadline = time.time() + 20
        while b"[y/N]" not in err and time.time() < deadline and child.poll() is None:
            ready, _, _ = select.select([child.stderr], [], [], 0.1)
            if ready:
                err += os.read(child.stderr.fileno(), 4096)
        os.write(master, sys.argv[2].encode() + b"\\n")
        out, rest = child.communicate(timeout=20)
        json.dump({"exit": child.returncode, "stdout": out.decode(), "stderr": (err + rest).decode()}, open(sys.argv[1], "w"))
        """
        let base = NSTemporaryDirectory() + "spool-pty-\(UUID().uuidString.prefix(8))"
        try Data(script.utf8).write(to: URL(fileURLWithPath: base + ".py"))
        defer { for suffix in [".py", ".json", ".log"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        let child = try ChildProcess("/usr/bin/python3", [base + ".py", base + ".json", answer, try SpoolCLI.binary]
                                     + arguments + ["--redis", cli.redisURL, "--prefix", cli.prefix], logFile: base + ".log", errorFile: base + ".log")
        guard child.wait(timeout: .seconds(60)) != nil, child.exitCode == 0,
              let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any] else {
            throw TestSetupError("pty driver failed: \((try? String(contentsOfFile: base + ".log", encoding: .utf8)) ?? "")")
        }
        return (result["exit"] as? Int ?? -1, result["stdout"] as? String ?? "", result["stderr"] as? String ?? "")
    }

    @Test func purgeAsksOnATerminalAndOnlyYesRemoves() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        _ = try cli.makeDead(4, queue: "q")

        for answer in ["n", "", "maybe"] {
            let declined = try purgeOnTerminal(cli, ["purge", "q", "--state", "dead"], answer: answer)
            #expect(declined.exit == 1, "\(declined)")
            #expect(declined.stderr.contains("would remove 4 dead jobs in queue q") && declined.stderr.contains("Remove them? [y/N]"), "\(declined)")
            #expect(declined.stderr.contains("purge cancelled; nothing removed"), "\(declined)")
            #expect(try cli.queue("q").stats().dead == 4)
        }
        let accepted = try purgeOnTerminal(cli, ["purge", "q", "--state", "dead"], answer: " YES ")
        #expect(accepted.exit == 0, "\(accepted)")
        #expect(accepted.stdout == "removed 4 of 4 dead jobs in queue q\n", "\(accepted)")
        #expect(try cli.queue("q").stats().dead == 0)
    }
}
