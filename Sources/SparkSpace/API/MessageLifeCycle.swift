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

/// Adaptive Cards as Webex takes them: a JSON object whose `type` is `AdaptiveCard`, sent as
/// the one attachment of a message.
public enum AdaptiveCard {
    /// The attachment content type Webex accepts for a card.
    public static let contentType = "application/vnd.microsoft.card.adaptive"
    /// The largest card file read (a card is a few KB; this only bounds memory).
    public static let maxFileBytes = 1024 * 1024

    /// Throws `invalidMessage` unless `card` is an object with `"type": "AdaptiveCard"`.
    public static func check(_ card: JSON) throws {
        guard card.object != nil else {
            throw SparkError.invalidMessage(.cardNotObject)
        }
        guard card["type"]?.string == "AdaptiveCard" else {
            throw SparkError.invalidMessage(.cardWrongType)
        }
    }

    /// Parses a card file's bytes (`invalidMessage` when they are not JSON) and checks it.
    public static func parse(_ bytes: [UInt8], source: String) throws -> JSON {
        guard bytes.count <= maxFileBytes else {
            throw SparkError.invalidMessage(.cardTooLarge(source: source, limit: maxFileBytes))
        }
        let card: JSON
        do {
            card = try JSON.parse(bytes)
        } catch {
            throw SparkError.invalidMessage(.cardNotJSON(source: source, detail: "\(error)"))
        }
        try check(card)
        return card
    }

    /// The `attachments` item of a message carrying `card`.
    public static func attachment(_ card: JSON) -> JSON {
        ["contentType": .string(contentType), "content": card]
    }

    /// Whether `email` can go into a mention tag: an address, nothing that ends the tag.
    static func isMentionable(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !email.contains { $0 == ">" || $0 == "<" || $0 == "|" || $0.isWhitespace || $0.isNewline }
    }
}

extension Space {
    /// The API path of one message.
    static func messagePath(_ id: String) throws -> String { try WebexClient.path(.message, id, check: .asTyped) }

    /// One message by id.
    public func message(id: String, as role: TokenRole = .bot) throws -> Message {
        try Message(json: client(role).get(Self.messagePath(id)))
    }

    /// Replaces a message's text or markdown (`PUT /messages/{id}`); the API needs the
    /// message's `roomId`, so the message is read first. Returns the edited message.
    public func editMessage(id: String, text: String?, markdown: String?, as role: TokenRole = .bot) throws -> Message {
        try OutgoingMessage.checkLength(text: text, markdown: markdown)
        guard !(text ?? "").isEmpty || !(markdown ?? "").isEmpty else { throw SparkError.invalidMessage(.newTextEmpty) }
        guard let roomId = try message(id: id, as: role).roomId else {
            throw SparkError.io("the API returned a message without a roomId (GET messages/\(id))")
        }
        var body: JSON = ["roomId": .string(roomId)]
        if let text { body["text"] = .string(text) }
        if let markdown { body["markdown"] = .string(markdown) }
        return try Message(json: client(role).put(Self.messagePath(id), body))
    }

    /// Deletes one message.
    public func deleteMessage(id: String, as role: TokenRole = .bot) throws {
        try client(role).delete(Self.messagePath(id))
    }

    /// One card submission (`GET /attachment/actions/{id}`).
    public func attachmentAction(id: String, as role: TokenRole = .bot) throws -> AttachmentAction {
        try AttachmentAction(json: client(role).get(try WebexClient.path(.attachmentAction, id)))
    }
}
