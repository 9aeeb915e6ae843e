#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The kinds of Webex object whose ids go into a URL path, with their collection and the
/// kind word a real id carries (a Webex id is base64url of `ciscospark://us/KIND/UUID`).
public enum IdKind: String, Sendable, CaseIterable {
    case room = "ROOM"
    case team = "TEAM"
    case membership = "MEMBERSHIP"
    case teamMembership = "TEAM_MEMBERSHIP"
    case message = "MESSAGE"
    case webhook = "WEBHOOK"
    case attachmentAction = "ATTACHMENT_ACTION"
    case person = "PEOPLE"

    /// The collection under the API base.
    public var collection: String {
        switch self {
        case .room: return "rooms"
        case .team: return "teams"
        case .membership: return "memberships"
        case .teamMembership: return "team/memberships"
        case .message: return "messages"
        case .webhook: return "webhooks"
        case .attachmentAction: return "attachment/actions"
        case .person: return "people"
        }
    }

    /// How an error names it.
    public var noun: String {
        switch self {
        case .teamMembership: return "team membership"
        case .attachmentAction: return "card action"
        default: return collection.hasSuffix("s") ? String(collection.dropLast()) : collection
        }
    }
}

/// How far an id is checked before it goes into a path (`WebexClient.path`).
public enum IdCheck: Sendable, Equatable {
    /// An id from the API or a delivery: refused unless it is a plausible Webex id of its kind.
    case plausible
    /// An id as the user typed it: escaped only (Webex answers 404 for one that names nothing,
    /// which reads "no such room" rather than "implausible id").
    case asTyped
}

extension Resource {
    /// The kind of id (and the collection) of this resource.
    var idKind: IdKind {
        switch self {
        case .room: return .room
        case .team: return .team
        case .webhook: return .webhook
        case .person: return .person
        case .message: return .message
        }
    }
}

extension WebexClient {
    /// The one path builder of an id: `collection/ID`, the collection from `kind`, the id escaped as
    /// one segment (`.` and `..` too), so an id from outside (`../webhooks` in a delivery) never reaches
    /// another resource. With `.plausible` (ids from the API or a delivery) an id that is not a plausible
    /// Webex id of `kind` is refused (`SparkError.io`, nothing sent): `../rooms/X` never becomes
    /// `DELETE /rooms/X`. Every id that goes into a path goes through here.
    public static func path(_ kind: IdKind, _ id: String, check: IdCheck = .plausible) throws -> String {
        if check == .plausible, !isPlausibleId(id, of: kind) {
            let shown = String(id.unicodeScalars.prefix(80).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
            throw SparkError.io("refused an implausible \(kind.noun) id '\(shown)' (not sent)")
        }
        let segment = id == "." || id == ".." ? id.replacing(".", with: "%2E") : escape(id)
        return kind.collection + "/" + segment
    }

    /// True when `id` could be a Webex id of `kind`: base64url characters only, of a sane length,
    /// and, when it decodes to a `ciscospark://` URI, naming that kind.
    public static func isPlausibleId(_ id: String, of kind: IdKind) -> Bool {
        guard hasIdSyntax(id), id.utf8.count <= 512 else { return false }
        guard let decoded = decodedId(id), decoded.hasPrefix("ciscospark://") else { return true }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: true)
        // ["ciscospark:", REGION, KIND, UUID]
        return parts.count >= 4 && parts[2] == kind.rawValue
    }

    /// The text of a base64url id (padded or not), nil when it is not base64: the one decoder of
    /// ids (`isWebexId`, `isPlausibleId`, `RestIds.parts`).
    static func decodedId(_ id: String) -> String? {
        var base64 = id.replacing("-", with: "+").replacing("_", with: "/")
        while base64.hasSuffix("=") { base64.removeLast() }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
