import Foundation

// Conversation activities for the websocket, made from the mock's own writes (the list and the frame
// shape are in the header of WebsocketMock.swift). Every function here runs with `lock` held and
// costs nothing while no socket is authorized.

extension MockWebexServer {
    // MARK: Hooks (called by the router and the fixtures, lock held)

    /// A message stored by `POST /messages` or `addMessage`.
    func messageActivity(_ m: MessageRec) {
        guard !socketState.connections.isEmpty, let actor = people[m.personId] else { return }
        let fields = JSONOut.dict(m.json)
        let files = fields["files"] as? [String] ?? []
        var parent: JObj?
        if let p = m.parentId { parent = [("id", uuidOf(p)), ("type", "reply")] }
        let object = messageObject(fields, files: files)
        emitActivity(verb: files.isEmpty ? "post" : "share", id: uuidOf(m.id), roomId: m.roomId, actor: actor,
                     object: object, parent: parent, published: fields["created"] as? String)
        guard !files.isEmpty else { return }
        // Webex follows a share with an `update` once its files are scanned (not an event).
        var scanned: JObj = [("id", uuidOf(m.id))]
        scanned += object.filter { $0.0 == "objectType" || $0.0 == "files" }
        emitActivity(verb: "update", id: UUID().uuidString.lowercased(), roomId: m.roomId, actor: actor, object: scanned)
    }

    /// A message edited by `PUT /messages/{id}`: a new activity whose parent is the message.
    func editActivity(_ m: MessageRec) {
        guard !socketState.connections.isEmpty, let actor = people[m.personId] else { return }
        let fields = JSONOut.dict(m.json)
        emitActivity(verb: "post", id: UUID().uuidString.lowercased(), roomId: m.roomId, actor: actor,
                     object: messageObject(fields, files: []), parent: [("id", uuidOf(m.id)), ("type", "edit")],
                     published: fields["updated"] as? String)
    }

    /// A message deleted by `actor`.
    func deleteActivity(_ m: MessageRec, by actor: PersonRec) {
        guard !socketState.connections.isEmpty else { return }
        emitActivity(verb: "delete", id: UUID().uuidString.lowercased(), roomId: m.roomId, actor: actor,
                     object: [("id", uuidOf(m.id)), ("objectType", "activity")])
    }

    /// `add`, `leave`, `assignModerator` or `unassignModerator` of the membership's person, done by `actor`.
    /// A `leave` also reaches the person removed (no longer a member).
    func membershipActivity(_ verb: String, _ m: MembershipRec, by actor: PersonRec) {
        guard !socketState.connections.isEmpty else { return }
        let uuid = uuidOf(m.personId)
        let object: JObj = [("id", uuid), ("objectType", "person"), ("displayName", m.person.displayName),
                            ("orgId", uuidOf(m.person.orgId)), ("emailAddress", m.personEmail), ("entryUUID", uuid),
                            ("entryEmail", m.personEmail)]
        emitActivity(verb: verb, id: UUID().uuidString.lowercased(), roomId: m.roomId, actor: actor, object: object,
                     alsoTo: verb == "leave" ? [m.personId] : [])
    }

    /// A card submitted (`POST /attachment/actions`).
    func cardActivity(_ a: AttachmentActionRec, by actor: PersonRec) {
        guard !socketState.connections.isEmpty else { return }
        let inputs = (try? JSONSerialization.jsonObject(with: Data(a.inputs.utf8))) as? [String: Any] ?? [:]
        emitActivity(verb: "cardAction", id: uuidOf(a.id), roomId: a.roomId, actor: actor,
                     object: [("objectType", a.type), ("inputs", inputs)],
                     parent: [("id", uuidOf(a.messageId)), ("type", "reply")], published: a.created)
    }

    // MARK: Frames

    /// Sends the activity to every authorized socket whose device's owner is in the room (or in `alsoTo`).
    func emitActivity(verb: String, id: String, roomId: String, actor: PersonRec, object: JObj, parent: JObj? = nil,
                      published: String? = nil, alsoTo: [String] = []) {
        guard let room = roomsById[roomId] else { return }
        let roomUUID = uuidOf(roomId)
        let actorUUID = uuidOf(actor.id)
        let actorJSON: JObj = [("id", actorUUID), ("objectType", "person"), ("displayName", actor.displayName),
                               ("orgId", uuidOf(actor.orgId)), ("emailAddress", actor.email), ("entryUUID", actorUUID),
                               ("entryEmail", actor.email), ("type", actor.type == "bot" ? "ROBOT" : "PERSON")]
        let target: JObj = [("id", roomUUID), ("objectType", "conversation"),
                            ("url", "\(origin)/conversation/api/v1/conversations/\(roomUUID)"),
                            ("tags", room.type == "direct" ? ["ONE_ON_ONE"] : [String]())]
        let activity: JObj = [("id", id), ("objectType", "activity"),
                              ("url", "\(origin)/conversation/api/v1/activities/\(id)"),
                              ("published", published ?? MockTime.format(tick())), ("verb", verb), ("actor", actorJSON),
                              ("object", object), ("target", target), ("parent", parent),
                              ("encryptionKeyUrl", "kms://kms-us.wbx2.com/keys/\(saltUUIDPart)000000000001")]
        let data: JObj = [("eventType", "conversation.activity"), ("activity", activity)]
        for c in socketState.connections.values.sorted(by: { $0.number < $1.number }) where c.authorized && !c.closing {
            guard let owner = socketState.devices[c.deviceId]?.ownerId else { continue }
            if isMember(owner, roomId) || alsoTo.contains(owner) { sendEnvelope(c, data: data) }
        }
    }

    /// A message as a conversation object: text, html and file names opaque (Webex encrypts them).
    private func messageObject(_ fields: [String: Any], files: [String]) -> JObj {
        var o: JObj = [("objectType", files.isEmpty ? "comment" : "content")]
        if let text = fields["text"] as? String { o.append(("displayName", opaque(text))) }
        if let html = (fields["html"] ?? fields["markdown"]) as? String { o.append(("content", opaque(html))) }
        if let mentioned = fields["mentionedPeople"] as? [String], !mentioned.isEmpty {
            let items = mentioned.map { [("id", uuidOf($0)), ("objectType", "person")] as JObj as Any }
            o.append(("mentions", [("items", items)] as JObj))
        }
        if !files.isEmpty {
            o.append(("contentCategory", "documents"))
            let items = files.map { url -> Any in
                let name = contents[String(url.split(separator: "/").last ?? "")]?.filename ?? "file"
                return [("objectType", "file"), ("displayName", opaque(name)), ("scr", opaque(url))] as JObj
            }
            o.append(("files", [("items", items)] as JObj))
        }
        if let cards = fields["attachments"] as? [Any],
           let data = try? JSONSerialization.data(withJSONObject: cards, options: [.sortedKeys]) {
            o.append(("cards", [opaque(String(decoding: data, as: UTF8.self))]))
        }
        return o
    }

    /// A JWE-shaped string that does not contain `plain` (the key service's encryption stands in).
    func opaque(_ plain: String) -> String {
        var rng = SystemRandomNumberGenerator()
        func b64url(_ bytes: [UInt8]) -> String {
            var s = Data(bytes).base64EncodedString()
            while s.hasSuffix("=") { s.removeLast() }
            return s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        func random(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        let header = b64url(Array(#"{"alg":"dir","kid":"kms://kms-us.wbx2.com/keys/mock","enc":"A256GCM"}"#.utf8))
        // A random byte (never 0, so no byte stays itself) from each byte of a 64-bit draw.
        var cipher = Array(plain.utf8)
        var draw: UInt64 = 0
        for i in cipher.indices {
            if i % 8 == 0 { draw = rng.next() }
            cipher[i] ^= UInt8(truncatingIfNeeded: draw >> (UInt64(i % 8) * 8)) | 1
        }
        return header + ".." + b64url(random(12)) + "." + b64url(cipher) + "." + b64url(random(16))
    }
}
