#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SparkSpace

/// Columns of an attachment (SPEC "Output"): path (or name), size.
let attachmentColumns = [Column("path", truncatable: true), Column("size")]
let attachmentNameColumns = [Column("name", truncatable: true), Column("size")]

/// `attachments name|download`.
let attachmentsCommands: [CommandSpec] = [
    CommandSpec(
        "attachments", summary: "name and download message attachments",
        subcommands: [
            CommandSpec(
                "name", summary: "print an attachment's file name (HEAD, Content-Disposition)",
                details: """
                    Prints the name `attachments download` would save the file as: the server's
                    Content-Disposition file name (filename*=UTF-8'' first, then filename=), made
                    safe (no path parts, no leading dot, no control characters, bounded length);
                    `downloadable` when the server names none.
                    """,
                arguments: [ArgumentSpec(name: "URL", help: "the attachment URL (a message's files entry)")],
                examples: ["spark-space attachments name https://webexapis.com/v1/contents/ID"],
                run: nameAttachment),
            CommandSpec(
                "download", summary: "download attachments, streamed to disk",
                details: """
                    One GET per file. Each file is streamed to a temporary file in DIR (default .) and
                    renamed when complete: no partial file survives a failure or Ctrl-C, and nothing is
                    written outside DIR (made when missing) whatever name the server sends. An existing
                    file is exit 5 unless --force (found when the transfer ends: the name comes with it). A file still being scanned (423) is retried after
                    Retry-After, within --max-wait. Prints the saved path per URL; progress goes to
                    stderr when it is a terminal. --stdout writes the bytes to stdout instead.
                    """,
                arguments: [ArgumentSpec(name: "URL", help: "attachment URLs", variadic: true)],
                options: [.dir, .force, .stdout],
                examples: [
                    "spark-space attachments download https://webexapis.com/v1/contents/ID -d ./files",
                    "spark-space attachments download --stdout URL | sha256sum",
                ],
                run: downloadAttachments),
        ])
]

/// `attachments name URL`.
private func nameAttachment(_ inv: Invocation) throws {
    let options = try TargetOptions(inv)
    let info = try inv.space.attachmentInfo(options.target, as: options.role)
    var item: JSON = ["name": .string(info.name), "url": .string(info.url)]
    item["size"] = info.size.map { .int($0) } ?? .null
    item["contentType"] = info.contentType.map(JSON.string) ?? .null
    try inv.output.item(item, columns: attachmentNameColumns)
}

/// `attachments download URL... [--dir D | --stdout] [--force]`: --stdout and --dir exclude
/// each other (exit 2 before any request).
struct DownloadAttachmentsOptions: CommandOptions {
    var urls: [String]
    /// nil: to stdout.
    var directory: String?
    var force: Bool
    var role: TokenRole
    init(_ inv: Invocation) throws {
        urls = inv.positionals
        if inv.has(.stdout) && inv.has(.dir) {
            throw UsageError("--stdout and --dir do not go together", command: inv.parsed.command)
        }
        directory = inv.has(.stdout) ? nil : inv.value(.dir) ?? "."
        force = inv.has(.force)
        role = inv.role()
    }
}

private func downloadAttachments(_ inv: Invocation) throws {
    let options = try DownloadAttachmentsOptions(inv)
    let space = try inv.space
    guard let directory = options.directory else {
        for url in options.urls {
            try inv.out.flush()
            try space.download(url, to: inv.out.fd, as: options.role)
        }
        return
    }
    try download(options.urls, into: directory, options: options, space: space, inv: inv)
}

/// Each URL into `directory`, a result row each; a failure does not stop the others.
private func download(_ urls: [String], into directory: String, options: DownloadAttachmentsOptions,
                      space: Space, inv: Invocation) throws {
    let role = options.role
    let stream = ItemStream(output: inv.output, columns: attachmentColumns)
    let progress = inv.console.transfer  // told by the client (`.progress` events)
    var failures: [Error] = []
    for url in urls {
        do {
            let file = try space.download(url, into: directory, force: options.force, as: role)
            progress.done()
            try stream.write([["path": .string(file.path), "name": .string(file.name), "size": .int(file.size),
                               "url": .string(url)]])
        } catch let error as SparkError {
            progress.done()
            if case .interrupted = error { throw error }
            guard urls.count > 1 else { throw error }
            inv.warn("error: \(url): \(errorText(error))")
            failures.append(error)
        }
    }
    try stream.finish()
    if !failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(failures),
                             description: "\(failures.count) of \(urls.count) downloads failed")
    }
}
