import SparkSpace

/// A name argument that is not blank (`what`: "team name", "new title"): a usage error (exit 2) before
/// any request.
func nonBlank(_ text: String, _ what: String, _ inv: Invocation) throws -> String {
    guard !text.trimmingSpaces().isEmpty else { throw inv.usage("the \(what) is empty") }
    return text
}

/// `rooms rename ROOM NEW_TITLE`, `teams rename TEAM NEW_NAME`: what is renamed, and the new name,
/// not blank (the error names it as the usage line does: "the new title is empty").
struct RenameOptions: CommandOptions {
    var target: String
    var newName: String
    init(_ inv: Invocation) throws {
        let noun = String(inv.parsed.command.arguments[1].name.lowercased().map { $0 == "_" ? " " : $0 })
        newName = try nonBlank(inv.positionals[1], noun, inv)
        target = inv.positionals[0]
    }
}

/// A command whose one argument names what it works on (`teams get TEAM`, `webhooks get ID`,
/// `attachments name URL`), and the token it uses.
struct TargetOptions: CommandOptions {
    var target: String
    var role: TokenRole
    init(_ inv: Invocation) throws {
        target = inv.positionals[0]
        role = inv.role()
    }
}

/// `rooms delete ROOM`, `teams delete TEAM`: the object the one argument names, looked up
/// (`find`: its name and id), then deleted by id (`delete`) as `deleteConfirmed` does.
func deleteNamed(_ noun: String, _ inv: Invocation, find: (Space, String, TokenRole) throws -> (name: String, id: String),
                 delete: (Space, String, TokenRole) throws -> Void) throws {
    let options = try TargetOptions(inv)
    let space = try inv.space
    let found = try find(space, options.target, options.role)
    try deleteConfirmed("\(noun) '\(found.name)'", id: found.id, inv: inv) { try delete(space, found.id, options.role) }
}

/// A deletion of one named object (`room 'Ops' (Y2l...)`): asks unless `--yes` (`Invocation.confirm`),
/// deletes, and says what was deleted.
func deleteConfirmed(_ what: String, id: String, inv: Invocation, delete: () throws -> Void) throws {
    let label = "\(what) (\(id))"
    try inv.confirm(deleting: label)
    try delete()
    inv.noteDone("deleted \(label)")
}
