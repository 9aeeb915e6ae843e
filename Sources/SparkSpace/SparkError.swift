#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything that can go wrong in the core, one case per kind of failure, carrying its
/// data: the command line maps each case to one exit code and words it (adding its own
/// flag names) in one place. `description` is a plain wording for other callers; it names
/// no command-line flag, because the library does not know how its inputs were given.
public enum SparkError: Error, Equatable {
    /// The API answered with an error status.
    case api(APIFailure)
    /// The request never got an answer: connection refused, reset, timed out.
    case transport(method: String, path: String, reason: String)
    /// The API asked (429/423) to wait `wait` seconds more than the wait budget has left.
    case waitBudgetSpent(method: String, path: String, status: Int, wait: Double)
    /// The retry schedule is spent: `attempts` attempts failed with `cause` (`HTTP 503`,
    /// `network error`); `detail` is what the network layer said, when it said something.
    case retriesSpent(method: String, path: String, attempts: Int, cause: String, detail: String?)
    /// No token is configured for `role`.
    case missingToken(TokenRole)
    /// A command needs a room and none was given, nor set as `space.room`.
    case noRoom
    /// Something looked up was not found; `suggestions` are close names that exist.
    case notFound(kind: Lookup, name: String, suggestions: [String])
    /// A name matched several things: their ids.
    case ambiguous(kind: Lookup, name: String, ids: [String])
    /// A file would be overwritten.
    case fileExists(path: String)
    /// Webex moves only a room without a team into a team.
    case alreadyInTeam(room: String, team: String)
    /// A message's text or markdown is over the API's limit (bytes of UTF-8).
    case textTooLong(part: MessagePart, length: Int, limit: Int)
    /// A message that cannot be sent as given (checked before any request).
    case invalidMessage(MessageProblem)
    /// Other local input that cannot be used: a state file, a manifest, a URL.
    case invalidInput(String)
    /// Settings that cannot be used (bad file, unset `$VAR`, unknown key).
    case settings(String)
    /// A local input/output failure (disk full, cannot write), or an answer that cannot be used.
    case io(String)
    /// The operation was interrupted (Ctrl-C).
    case interrupted
    /// Another run is writing `path` (an archive): it holds the lock, so this run wrote nothing.
    case inUse(path: String)
    /// Signing in, or a sign-in's tokens, failed (`auth`; see `SignInProblem`).
    case signIn(SignInProblem)
}

/// A kind of object of the API that is looked up by id; its name is the noun in errors.
public enum Resource: String, Sendable, CaseIterable {
    case room, team, webhook, person, message
}

/// What a lookup was for, which decides how "not found" and "several match" read.
public enum Lookup: Equatable, Sendable {
    /// A group room by exact title.
    case roomTitled
    /// A team by exact name.
    case teamNamed
    /// A resource (a room, a team, a webhook, a person) by id.
    case id(Resource)
    /// A person by e-mail.
    case personWithEmail
    /// The direct (1:1) room with a person's e-mail.
    case directRoomWith
    /// A member (by e-mail) of a room.
    case roomMember
    /// The team of manifest room `room`: neither in the manifest nor existing.
    case manifestTeam(room: String)
    /// A team a manifest plan was to create first.
    case createdTeam
    /// A room a manifest plan was to create first.
    case createdRoom
}

/// The parts of an outgoing message a user gives (the command line has a flag for each).
public enum MessagePart: String, Equatable, Sendable {
    case text, markdown, file, card, mention
}

/// Why a message cannot be sent.
public enum MessageProblem: Equatable, Sendable {
    /// A card without a text or markdown fallback.
    case cardNeedsFallback
    /// A card and a file: one attachment per message.
    case cardWithFile
    /// Nothing to post; `textGiven`: a text or markdown was given and is empty.
    case nothingToPost(textGiven: Bool)
    /// A text or markdown that is only white space.
    case empty(MessagePart)
    /// A mention that is not an e-mail address.
    case notAnEmail(String)
    /// The local file cannot be used (`stat` failed with `reason`).
    case fileUnusable(path: String, reason: String)
    case fileIsDirectory(path: String)
    case fileNotRegular(path: String)
    case fileTooLarge(path: String, size: Int64, limit: Int64)
    /// The local file cannot be read (`reason`).
    case fileUnreadable(path: String, reason: String)
    /// A card that is not a JSON object.
    case cardNotObject
    /// A card whose `type` is not `AdaptiveCard`.
    case cardWrongType
    /// A card file (`source`) over `limit` bytes.
    case cardTooLarge(source: String, limit: Int)
    /// A card file (`source`) that is not JSON (`detail` says why).
    case cardNotJSON(source: String, detail: String)
    /// An edit with neither text nor markdown.
    case newTextEmpty
}

/// An error status from the Webex API, with what the API said about it.
public struct APIFailure: Equatable, Sendable {
    /// The request's method.
    public var method: String
    /// The path, relative to the API base.
    public var path: String
    /// The error status.
    public var status: Int
    /// The API's message.
    public var message: String
    /// The API's `trackingId`, to quote to Webex support.
    public var trackingId: String?
    /// On a 401 or 403: which identity's token was refused, where it came from and its last 4
    /// characters (`bot (token from --token-file t, ***abcd)`); nil elsewhere.
    public var identity: String?

    /// An error answer of the API.
    public init(method: String, path: String, status: Int, message: String, trackingId: String?) {
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.trackingId = trackingId
    }
}

extension SparkError: CustomStringConvertible {
    /// The error in plain words, naming no command-line flag (`GET /rooms: 404 Not Found (trackingId ...)`).
    public var description: String {
        switch self {
        case .api(let f):
            var text = "\(f.method) \(f.path): \(f.status) \(f.message)"
            if let id = f.trackingId { text += " (trackingId \(id))" }
            if let identity = f.identity { text += "; identity: \(identity)" }
            return text
        case .transport(let method, let path, let reason): return "\(method) \(path): \(reason)"
        case .waitBudgetSpent(let method, let path, let status, let wait):
            return "\(method) \(path): " + Self.waitGaveUp(status: status, wait: wait) + ", past the wait budget"
        case .retriesSpent(let method, let path, let attempts, let cause, let detail):
            return "\(method) \(path): gave up after \(attempts) attempts: \(cause)" + (detail.map { " (\($0))" } ?? "")
        case .missingToken(let role):
            return "no \(role) token: set \(role == .bot ? "space.token" : "space.audit_token") in the settings file, "
                + "or \(role == .bot ? "CISCO_SPARK_BOT_TOKEN" : "CISCO_SPARK_AUDIT_TOKEN")"
        case .noRoom: return "no room given: name one, or set space.room / $CHAT_ROOM_TITLE"
        case .notFound(let kind, let name, let suggestions): return Self.notFound(kind, name, suggestions)
        case .ambiguous(let kind, let name, let ids): return Self.ambiguous(kind, name, ids)
        case .fileExists(let path): return "\(path) exists"
        case .alreadyInTeam(let room, let team):
            return "room '\(room)' is in team \(team) already; Webex moves only a room without a team into one"
        case .textTooLong(let part, let length, let limit):
            return "the \(part.rawValue) is \(length) bytes; Webex takes at most \(limit)"
        case .invalidMessage(let problem): return problem.description
        case .invalidInput(let s), .settings(let s), .io(let s): return s
        case .interrupted: return "interrupted"
        case .inUse(let path): return "another run is writing \(path); nothing was done (try again when it ends)"
        case .signIn(let problem): return problem.description
        }
    }

    /// `gave up: the API asked to wait 15 s more (429)`
    public static func waitGaveUp(status: Int, wait: Double) -> String {
        "gave up: the API asked to wait \(RetryPolicy.format(wait)) s more (\(status))"
    }

    static func notFound(_ kind: Lookup, _ name: String, _ suggestions: [String]) -> String {
        let close = suggestionText(suggestions)
        switch kind {
        case .roomTitled: return "no group room titled '\(name)'" + close
        case .teamNamed: return "no team named '\(name)'" + close
        case .id(let what): return "no \(what.rawValue) with id \(name)"
        case .personWithEmail: return "no person with e-mail \(name)"
        case .directRoomWith: return "no direct room with \(name)"
        case .roomMember: return "\(name) is not a member of the room"
        case .manifestTeam(let room):
            return "room '\(room)': team '\(name)' is neither in the manifest nor an existing team" + close
        case .createdTeam: return "team '\(name)' was not created"
        case .createdRoom: return "the room was not created"
        }
    }

    static func ambiguous(_ kind: Lookup, _ name: String, _ ids: [String]) -> String {
        let what = kind == .teamNamed ? "teams are named" : "group rooms are titled"
        return "\(ids.count) \(what) '\(name)': " + ids.joined(separator: ", ")
    }
}

extension MessageProblem: CustomStringConvertible {
    /// The problem in the library's words: "the card needs the text or the markdown: ...".
    public var description: String { text { $0 == .mention ? "a mention" : "the \($0.rawValue)" } }

    /// The one wording of every problem, with each part of the message named by `name`: the
    /// library says "the card", the command line "--card".
    public func text(naming name: (MessagePart) -> String) -> String {
        let (text, markdown, file, card) = (name(.text), name(.markdown), name(.file), name(.card))
        switch self {
        case .cardNeedsFallback: return "\(card) needs \(text) or \(markdown): the fallback shown by clients without cards"
        case .cardWithFile: return "\(card) and \(file) do not go together: one attachment per message"
        case .nothingToPost(let textGiven):
            return textGiven ? "nothing to post: the text is empty" : "nothing to post: give \(text), \(markdown) or \(file)"
        case .empty(let part): return "\(name(part)) is empty: nothing to post"
        case .notAnEmail(let given): return "\(name(.mention)) takes an e-mail address, not '\(given)'"
        case .fileUnusable(let path, let reason): return "cannot use \(file) \(path): \(reason)"
        case .fileIsDirectory(let path): return "\(file) \(path) is a directory; give one file"
        case .fileNotRegular(let path): return "\(file) \(path) is not a regular file"
        case .fileTooLarge(let path, let size, let limit):
            return "\(file) \(path) is \(size) bytes; Webex takes at most 100 MB (\(limit))"
        case .fileUnreadable(let path, let reason): return "cannot read \(file) \(path): \(reason)"
        case .cardNotObject: return "\(card) is not an Adaptive Card: the JSON is not an object"
        case .cardWrongType: return "\(card) is not an Adaptive Card: its \"type\" must be \"AdaptiveCard\""
        case .cardTooLarge(let source, let limit):
            return "\(card) \(source) is over \(limit) bytes; a card is a small JSON object"
        case .cardNotJSON(let source, let detail): return "\(card) \(source) is not valid JSON: \(detail)"
        case .newTextEmpty: return "the new text is empty"
        }
    }
}

extension SparkError: LocalizedError {
    /// The description.
    public var errorDescription: String? { description }
}
