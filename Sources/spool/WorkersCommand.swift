import ArgumentParser
import Foundation
import Spool
import SpoolWorker

/// `spool workers`: the workers that sent a heartbeat in the last minute.
struct WorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "List live workers (heartbeat in the last minute).",
        discussion: """
        JSON: {"workers": [{"id", "host", "pid", "queues", "busy", "concurrency", "processed", "startedAt", \
        "lastBeatAt", "lastBeatAgeMs"}]}
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let workers = try spool { () throws(SpoolError) in try client.workers() }
        let now = Date().timeIntervalSince1970
        func age(_ beat: WorkerHeartbeat) -> Int64 { Int64((max(0, now - beat.beatAt) * 1000).rounded()) }
        if global.json {
            try Output.printJSON(["workers": workers.map { beat -> [String: Any] in
                ["id": beat.id, "host": beat.host, "pid": Int(beat.pid), "queues": beat.queues, "busy": beat.busy,
                 "concurrency": beat.concurrency, "processed": beat.processed,
                 "startedAt": TimeFormat.json(Date(timeIntervalSince1970: beat.startedAt)),
                 "lastBeatAt": TimeFormat.json(Date(timeIntervalSince1970: beat.beatAt)), "lastBeatAgeMs": age(beat)]
            }])
            return
        }
        Output.table(["ID", "HOST", "PID", "QUEUES", "BUSY", "PROCESSED", "LAST BEAT"], workers.map { beat in
            [beat.id, beat.host, "\(beat.pid)", beat.queues.joined(separator: ","), "\(beat.busy)/\(beat.concurrency)",
             "\(beat.processed)", DurationArgument.human(.milliseconds(age(beat))) + " ago"]
        })
    }
}
