import Foundation

// MARK: - Public fixture handles

/// A person known to the mock. `token` is nil for people who cannot call the API.
public struct MockPerson: Equatable {
    public let id: String
    public let email: String
    public let displayName: String
    public let token: String?
    public let isBot: Bool
}

public struct MockTeam: Equatable {
    public let id: String
    public let name: String
}

public struct MockRoom: Equatable {
    public let id: String
    public let title: String
    public let type: String
    public let teamId: String?
}

public struct MockMembership: Equatable {
    public let id: String
    public let roomId: String
    public let personId: String
    public let personEmail: String
}

public struct MockMessage: Equatable, Sendable {
    public let id: String
    public let roomId: String
    public let created: String
    /// The message exactly as the API returns it.
    public let json: String
}

/// One HTTP request as the mock received it (faulted ones included).
public struct MockRequest {
    public let method: String
    /// Path relative to the API base, without "/v1" and without the query, percent-decoded: "/rooms/Y2lz...".
    public let path: String
    /// The request target exactly as sent: "/v1/rooms?max=1000".
    public let target: String
    /// Decoded query parameters (the last wins when repeated).
    public let query: [String: String]
    /// Header names lowercased; repeated headers joined with ", ".
    public let headers: [String: String]
    public let body: Data
    /// The bearer token, when an `Authorization: Bearer` header was sent.
    public let token: String?
    public let time: Date
}

/// A parsed multipart `POST /messages`.
public struct MockUpload {
    /// Plain (non-file) parts: name → value.
    public let fields: [String: String]
    public let fileName: String?
    public let contentType: String?
    public let fileData: Data?
    /// The contents URL the mock created for the file (nil when the request was rejected before that).
    public let contentURL: String?
}

// MARK: - Internal state records

/// A stored object as Webex shows it.
protocol JSONRecord {
    var id: String { get }
    func json() -> JObj
}

/// Records by id that remember the order they were added in (Webex lists rooms, teams and
/// webhooks so): setting a new id appends it, setting nil removes it.
struct OrderedRecords<Record> {
    private var byId: [String: Record] = [:]
    /// The ids, oldest first.
    private(set) var ids: [String] = []

    subscript(id: String) -> Record? {
        get { byId[id] }
        set {
            if byId[id] == nil, newValue != nil { ids.append(id) }
            if byId[id] != nil, newValue == nil { ids.removeAll { $0 == id } }
            byId[id] = newValue
        }
    }

    /// The records, oldest first.
    var values: [Record] { ids.compactMap { byId[$0] } }
}

struct PersonRec {
    var id: String
    var email: String
    var displayName: String
    var type = "person"
    var created: String
    var orgId: String

    func json() -> JObj {
        let parts = displayName.split(separator: " ", maxSplits: 1).map(String.init)
        return [
            ("id", id), ("emails", [email]), ("phoneNumbers", [String]()), ("displayName", displayName),
            ("nickName", parts.first ?? displayName), ("firstName", parts.first ?? displayName),
            ("lastName", parts.count > 1 ? parts[1] : ""),
            ("orgId", orgId), ("created", created), ("lastActivity", created), ("status", "active"), ("type", type),
        ]
    }
}

struct TeamRec: JSONRecord {
    var id: String
    var name: String
    var creatorId: String
    var created: String
    var members: Set<String> // person ids
    var moderators: Set<String> = [] // person ids, members too
    var description: String? = nil

    /// A nil description is left out (JSONOut skips nil values).
    func json() -> JObj {
        [("id", id), ("name", name), ("creatorId", creatorId), ("created", created), ("description", description)]
    }
}

struct RoomRec: JSONRecord {
    var id: String
    var title: String
    var type: String
    var isLocked = false
    var isAnnouncementOnly = false
    var description: String? = nil
    var teamId: String?
    var lastActivity: Stamp
    var creatorId: String
    var created: Stamp
    var ownerId: String
    var seq: Int

    /// A nil teamId or description is left out (JSONOut skips nil values).
    func json() -> JObj {
        [("id", id), ("title", title), ("type", type), ("isLocked", isLocked), ("teamId", teamId),
         ("lastActivity", lastActivity.text), ("creatorId", creatorId), ("created", created.text), ("ownerId", ownerId),
         ("isPublic", false), ("isReadOnly", false), ("isAnnouncementOnly", isAnnouncementOnly),
         ("description", description)]
    }
}

/// A time as Webex writes it, with its milliseconds (what listings sort by).
struct Stamp {
    var text: String
    var ms: Int64
}

extension Stamp {
    /// `ms` written as Webex writes times.
    init(ms: Int64) { self.init(text: MockTime.format(ms), ms: ms) }
}

struct MembershipRec {
    var id: String
    var roomId: String
    /// The member as it was when added (Webex copies these fields into the membership).
    var person: PersonRec
    var isModerator: Bool
    var isMonitor = false
    var isRoomHidden = false
    var roomType: String
    var created: String

    func json() -> JObj {
        [("id", id), ("roomId", roomId), ("personId", personId), ("personEmail", personEmail),
         ("personDisplayName", person.displayName), ("personOrgId", person.orgId), ("isModerator", isModerator),
         ("isMonitor", isMonitor), ("isRoomHidden", isRoomHidden), ("roomType", roomType), ("created", created)]
    }

    var personId: String { person.id }
    var personEmail: String { person.email }
}

/// A stored message: sort key plus its JSON rendered once.
struct MessageRec {
    var id: String
    var roomId: String
    var personId: String
    var createdMs: Int64
    var seq: Int
    var mentioned: [String]
    var json: [UInt8]
    /// The message this one replies to.
    var parentId: String? = nil
    /// Carries a file or a card: Webex refuses to edit those.
    var hasAttachment = false
    /// Carries an Adaptive Card (can be submitted).
    var hasCard = false
    /// How often it was edited (Webex allows 10 edits).
    var edits = 0

    var key: MsgKey { MsgKey(ms: createdMs, seq: seq) }
}

struct MsgKey: Comparable {
    var ms: Int64
    var seq: Int
    static func < (a: MsgKey, b: MsgKey) -> Bool { a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq }
}

struct WebhookRec: JSONRecord {
    // Set by the API.
    let id: String
    let created: String
    let ownerId: String
    let orgId: String
    let appId: String
    // Set by the caller (name, targetUrl, secret and status by an update too).
    var name: String
    var targetUrl: String
    let resource: String
    let event: String
    let filter: String?
    var secret: String?
    var status = "active"

    func json() -> JObj {
        [("id", id), ("name", name), ("targetUrl", targetUrl), ("resource", resource), ("event", event),
         ("filter", filter), ("secret", secret), ("status", status), ("created", created), ("orgId", orgId),
         ("createdBy", ownerId), ("appId", appId), ("ownedBy", "creator")]
    }
}

struct ContentRec {
    var id: String
    var filename: String?
    var contentType: String
    var data: Data
    var scanningRetries = 0
    var unsafe = false
    var disposition: String?
}

/// Renders a message's JSON in Webex's field order (hot path for bulk seeding).
func renderMessage(id: String, roomId: String, roomType: String, text: String?, markdown: String?, html: String?,
                   files: [String], personId: String, personEmail: String, mentioned: [String], parentId: String?,
                   created: String, updated: String? = nil, attachments: String? = nil) -> [UInt8] {
    var s = ""
    s.reserveCapacity(400 + (text?.utf8.count ?? 0) + (markdown?.utf8.count ?? 0) + (html?.utf8.count ?? 0))
    s.append("{\"id\":\""); s.append(id)
    s.append("\",\"roomId\":\""); s.append(roomId)
    s.append("\",\"roomType\":\""); s.append(roomType); s.append("\"")
    if let text = text { s.append(",\"text\":"); JSONOut.escape(text, into: &s) }
    if let markdown = markdown { s.append(",\"markdown\":"); JSONOut.escape(markdown, into: &s) }
    if let html = html { s.append(",\"html\":"); JSONOut.escape(html, into: &s) }
    if !files.isEmpty { s.append(",\"files\":"); JSONOut.render(files, into: &s) }
    s.append(",\"personId\":\""); s.append(personId)
    s.append("\",\"personEmail\":"); JSONOut.escape(personEmail, into: &s)
    if !mentioned.isEmpty { s.append(",\"mentionedPeople\":"); JSONOut.render(mentioned, into: &s) }
    if let parentId = parentId { s.append(",\"parentId\":"); JSONOut.escape(parentId, into: &s) }
    if let attachments = attachments { s.append(",\"attachments\":"); s.append(attachments) }
    s.append(",\"created\":\""); s.append(created); s.append("\"")
    if let updated = updated { s.append(",\"updated\":\""); s.append(updated); s.append("\"") }
    s.append("}")
    return Array(s.utf8)
}

/// A card submission (`/attachment/actions`).
struct AttachmentActionRec {
    var id: String
    var type = "submit"
    var messageId: String
    var roomId: String
    var personId: String
    /// The submitted values, as JSON text.
    var inputs: String
    var created: String

    func json() -> [UInt8] {
        var s = "{\"id\":"
        JSONOut.escape(id, into: &s)
        s += ",\"type\":"; JSONOut.escape(type, into: &s)
        s += ",\"messageId\":"; JSONOut.escape(messageId, into: &s)
        s += ",\"inputs\":" + inputs
        s += ",\"personId\":"; JSONOut.escape(personId, into: &s)
        s += ",\"roomId\":"; JSONOut.escape(roomId, into: &s)
        s += ",\"created\":"; JSONOut.escape(created, into: &s)
        return Array((s + "}").utf8)
    }
}
