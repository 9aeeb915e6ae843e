import SparkSpace

/// Splits `[ROOM] EMAIL...` (SPEC "ROOM arguments") and reads `-` from stdin.
func roomAndEmails(_ inv: Invocation) throws -> (room: String?, emails: [String]) {
    var words = inv.positionals
    var room: String?
    if let first = words.first, first != "-", !looksLikeEmail(first) {
        room = first
        words.removeFirst()
    }
    return (room, try emailList(words, inv: inv))
}

/// The EMAIL... of a bulk command: at least one, `-` read from stdin, checked before any request.
func emailList(_ words: [String], inv: Invocation) throws -> [String] {
    guard !words.isEmpty else { throw inv.usage("missing EMAIL for '\(inv.parsed.command.path)'") }
    let emails = try participantList(words, inv: inv)
    guard !emails.isEmpty else { throw inv.usage("no e-mail addresses given (stdin was empty)") }
    return emails
}

/// E-mails from arguments (`-`: stdin, one a line, blank lines and `#` comments skipped), checked
/// and de-duplicated (case-insensitively, first spelling kept).
func participantList(_ words: [String], inv: Invocation) throws -> [String] {
    var emails: [String] = []
    var seen = Set<String>()
    for word in words {
        var items = [word]
        if word == "-" {
            items = try inv.readStdin(for: "e-mails", limit: 16 << 20).split(whereSeparator: \.isNewline).map(String.init)
        }
        for item in items {
            let email = item.trimmingSpaces()
            if email.isEmpty || email.hasPrefix("#") { continue }
            guard looksLikeEmail(email) else {
                throw inv.usage("'\(email)' is not an e-mail address")
            }
            if seen.insert(email.lowercased()).inserted { emails.append(email) }
        }
    }
    return emails
}
