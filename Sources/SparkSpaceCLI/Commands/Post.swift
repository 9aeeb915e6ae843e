import Foundation
import SparkSpace

/// `post`.
let postCommands: [CommandSpec] = [
    CommandSpec(
        "post", summary: "post a message (text, markdown and/or one file) to a room or a person",
        details: """
            ROOM is a room id or an exact group-room title (default --room, else space.room);
            --person EMAIL posts to the direct room with that person instead. --text - and
            --markdown - read stdin (trailing newlines dropped). --file takes a local path
            (uploaded, streamed from disk) or an http(s) URL that Webex fetches; one file per
            message. Limits are checked before anything is sent: text or markdown over 7439
            bytes, a missing file, a directory or a file over 100 MB is exit 2.
            A post is never retried once the request was sent: no duplicate messages.
            """,
        arguments: [ArgumentSpec("ROOM", help: "room id or exact title", optional: true, completion: .room)],
        options: [
            OptionSpec("person", value: "EMAIL", help: "post to the direct room with this person"),
            OptionSpec("text", value: "TEXT", help: "plain text (- reads stdin)"),
            OptionSpec("markdown", value: "MARKDOWN", help: "markdown (- reads stdin)"),
            OptionSpec("file", value: "PATH|URL", help: "a local file to upload, or a URL", completion: .file),
        ],
        examples: [
            "spark-space post 'Ops room' --text 'deploy done'",
            "spark-space post --person bob@example.com --markdown '**hello**'",
            "make test 2>&1 | tail -50 | spark-space post --text -",
            "spark-space post 'Ops room' --text 'the report' --file ./report.pdf",
        ],
        writes: true, run: post)
]

private func post(_ inv: Invocation) throws {
    let roomRef = inv.positionals.first
    let person = inv.value("person")
    if person != nil && (roomRef != nil || inv.value("room") != nil) {
        throw UsageError("give either ROOM or --person, not both", command: inv.parsed.command)
    }
    if let person, !person.contains("@") {
        throw UsageError("--person takes an e-mail address, not '\(person)'", command: inv.parsed.command)
    }
    func input(_ name: String) throws -> String? {
        guard let value = inv.value(name) else { return nil }
        guard value == "-" else { return value }
        var text = try inv.readStdin(for: "--\(name)")
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
    let text = try input("text")
    let markdown = try input("markdown")
    let file = inv.value("file").map(MessageFile.init)
    // Check the message before any request (room look-up included): nothing is sent when it is unusable.
    var message = OutgoingMessage(target: .person(email: person ?? ""), text: text, markdown: markdown, file: file)
    try message.validate()
    let space = try inv.space
    let role = inv.role()
    if person == nil { message.target = .room(id: try space.roomId(roomRef, as: role)) }
    let created = try space.post(message, as: role)
    try inv.output.item(created, columns: messageColumns)
}
