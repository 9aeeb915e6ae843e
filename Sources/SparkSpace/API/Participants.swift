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
import Dispatch

/// What happened to one e-mail of a bulk participant change.
public enum ParticipantStatus: String, Sendable {
    /// The person was added to the room.
    case added
    /// The person's membership was deleted.
    case removed
    /// The membership was changed (`participants set`).
    case updated
    /// Nothing to do: already a member (add), or not a member (remove).
    case unchanged
    /// The request failed; see `error`.
    case failed
}

/// The outcome for one e-mail of `addParticipants` / `removeParticipants`.
public struct ParticipantResult {
    /// The e-mail address this result is about.
    public var email: String
    /// What was done for it.
    public var status: ParticipantStatus
    /// The membership (added, or found for remove) when there is one.
    public var membership: Membership?
    /// Why it failed, when `status` is `.failed`.
    public var error: Error?

    /// The result of one e-mail of a bulk change.
    public init(email: String, status: ParticipantStatus, membership: Membership? = nil, error: Error? = nil) {
        self.email = email
        self.status = status
        self.membership = membership
        self.error = error
    }
}

/// True when `text` looks like an e-mail address (`x@y`).
public func looksLikeEmail(_ text: String) -> Bool {
    guard let at = text.firstIndex(of: "@") else { return false }
    return at != text.startIndex && text.index(after: at) != text.endIndex
        && !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "/" })
}

/// Runs `body` on every item with at most `workers` threads at once; results in input order.
/// Each worker is its own thread, so each has its own connection (CurlTransport keeps one per thread).
/// `onResult`, when given, receives each result as soon as it and every earlier one are done: in input
/// order, one call at a time, while later items are still running.
package func concurrentMap<Item, T>(_ items: [Item], workers: Int, onResult: ((Int, T) -> Void)? = nil,
                                   _ body: @escaping (Item) -> T) -> [T] {
    guard items.count > 1, workers > 1 else {
        return items.enumerated().map { index, item in
            let result = body(item)
            onResult?(index, result)
            return result
        }
    }
    let shared = BulkState<T>(count: items.count)
    let done = DispatchSemaphore(value: 0)
    let count = min(workers, items.count)
    // The workers are joined (`done`) before this returns; `shared` serializes results and `onResult`.
    let body = HandOff(value: body), onResult = HandOff(value: onResult), items = HandOff(value: items)
    for _ in 0..<count {
        startThread(stackSize: 1 << 20) {
            while true {
                shared.lock.lock()
                let index = shared.next
                shared.next += 1
                shared.lock.unlock()
                guard index < items.value.count else { break }
                let result = body.value(items.value[index])
                shared.lock.lock()
                shared.results[index] = result
                shared.lock.unlock()
                if let deliver = onResult.value { shared.deliver(deliver) }
            }
            done.signal()
        }
    }
    for _ in 0..<count { done.wait() }
    return shared.results.map { $0! }
}

/// The shared queue position and results of `concurrentMap`.
private final class BulkState<T>: @unchecked Sendable {
    let lock = ThreadLock()
    var next = 0
    var results: [T?]
    /// Serializes `onResult` calls; `delivered` is the count already handed over (under `lock`).
    private let delivering = ThreadLock()
    private var delivered = 0
    init(count: Int) { results = Array(repeating: nil, count: count) }

    /// Hands every result that is ready, in input order, to `onResult`.
    func deliver(_ onResult: (Int, T) -> Void) {
        delivering.lock()
        defer { delivering.unlock() }
        while true {
            lock.lock()
            guard delivered < results.count, let result = results[delivered] else {
                lock.unlock()
                return
            }
            let index = delivered
            delivered += 1
            lock.unlock()
            onResult(index, result)
        }
    }
}

extension Space {
    /// How many membership requests run at once in a bulk change.
    public static let bulkWorkers = 4

    /// Every membership of a room, all pages.
    public func memberships(roomId: String, as role: TokenRole = .bot) throws -> [Membership] {
        try existing(.room, id: roomId) {
            var pages = try client(role).list("memberships", query: [("roomId", roomId), ("max", String(Self.maxPage))])
            // A foreign item (another room's membership) is never acted on.
            return try Membership.list(pages.collect()).filter { $0.roomId == roomId }
        }
    }

    /// The participants of a room (seed `list_participants`): memberships, without the bot unless `includeBot`.
    public func participants(roomId: String, includeBot: Bool = false, as role: TokenRole = .bot) throws -> [Membership] {
        let all = try memberships(roomId: roomId, as: role)
        guard !includeBot, settings.token != nil else { return all }
        let botId = try me(.bot).id
        return all.filter { $0.personId != botId }
    }

    /// Adds one person (seed `add_participant`); "already a member" (409) is `unchanged`, not an error.
    public func addParticipant(roomId: String, email: String, moderator: Bool = false,
                               as role: TokenRole = .bot) -> ParticipantResult {
        do {
            let membership = try createMembership(roomId: roomId, email: email, moderator: moderator, as: role)
            return ParticipantResult(email: email, status: .added, membership: membership)
        } catch SparkError.api(let f) where f.status == 409 {
            return ParticipantResult(email: email, status: .unchanged)
        } catch {
            return ParticipantResult(email: email, status: .failed, error: error)
        }
    }

    /// Removes one person (seed `remove_participant`): looks the membership up by room + e-mail and
    /// deletes it by id; not a member is `unchanged`.
    public func removeParticipant(roomId: String, email: String, as role: TokenRole = .bot) -> ParticipantResult {
        do {
            let found = try client(role).get("memberships", query: [("roomId", roomId), ("personEmail", email)])
            let items = try (found["items"]?.array ?? []).map(Membership.init(json:))
            // Only the membership asked for: this room, this person (a foreign item is never acted on).
            let match = items.first { $0.roomId == roomId && $0.personEmail?.lowercased() == email.lowercased() }
            return deleteMembership(match, email: email, as: role)
        } catch {
            return ParticipantResult(email: email, status: .failed, error: error)
        }
    }

    /// Deletes a membership found for `email` (nil: not a member, `unchanged`).
    private func deleteMembership(_ membership: Membership?, email: String, as role: TokenRole) -> ParticipantResult {
        guard let membership else {
            return ParticipantResult(email: email, status: .unchanged)
        }
        do {
            try client(role).delete(try WebexClient.path(.membership, membership.id))
        } catch SparkError.api(let f) where f.status == 404 {
            // Gone meanwhile (or an earlier attempt went through): the person is not a member.
            return ParticipantResult(email: email, status: .unchanged, membership: membership)
        } catch {
            return ParticipantResult(email: email, status: .failed, membership: membership, error: error)
        }
        return ParticipantResult(email: email, status: .removed, membership: membership)
    }

    /// Adds several people with a small bounded concurrency; results in input order. `onResult`
    /// receives each result as soon as it and the earlier ones are done (see `concurrentMap`).
    public func addParticipants(roomId: String, emails: [String], moderator: Bool = false,
                                as role: TokenRole = .bot,
                                onResult: ((ParticipantResult) -> Void)? = nil) -> [ParticipantResult] {
        let deliver = onResult.map { f in { (_: Int, result: ParticipantResult) in f(result) } }
        let members: [String: Membership]
        do { members = try dryRunMembers(of: roomId) { try memberships(roomId: roomId, as: role) } } catch {
            return concurrentMap(emails, workers: 1, onResult: deliver) {
                ParticipantResult(email: $0, status: .failed, error: error)
            }
        }
        return concurrentMap(emails, workers: Self.bulkWorkers, onResult: deliver) {
            members[$0.lowercased()] != nil ? ParticipantResult(email: $0, status: .unchanged)
                : self.addParticipant(roomId: roomId, email: $0, moderator: moderator, as: role)
        }
    }

    /// Who is a member already, for a dry run's adds (by lower-cased e-mail): a dry run sends no
    /// POST, so no 409 can tell it, and one listing (a read, which a dry run makes) does. Empty
    /// outside a dry run (the 409 tells), and for a room or team the dry run only planned.
    func dryRunMembers(of containerId: String, _ list: () throws -> [Membership]) throws -> [String: Membership] {
        guard isDryRun, containerId != dryRunId else { return [:] }
        return Self.byEmail(try list())
    }

    /// Removes several people with a small bounded concurrency; results in input order. `onResult`
    /// receives each result as soon as it and the earlier ones are done (see `concurrentMap`).
    /// Several people cost one listing of the room's memberships, not one look-up each.
    public func removeParticipants(roomId: String, emails: [String], as role: TokenRole = .bot,
                                   onResult: ((ParticipantResult) -> Void)? = nil) -> [ParticipantResult] {
        let deliver = onResult.map { f in { (_: Int, result: ParticipantResult) in f(result) } }
        guard emails.count > 1 else {
            return concurrentMap(emails, workers: 1, onResult: deliver) {
                self.removeParticipant(roomId: roomId, email: $0, as: role)
            }
        }
        let byEmail: [String: Membership]
        do {
            let all = try memberships(roomId: roomId, as: role)
            byEmail = Dictionary(all.compactMap { m in m.personEmail.map { ($0.lowercased(), m) } }) { a, _ in a }
        } catch {
            return concurrentMap(emails, workers: 1, onResult: deliver) {
                ParticipantResult(email: $0, status: .failed, error: error)
            }
        }
        return concurrentMap(emails, workers: Self.bulkWorkers, onResult: deliver) {
            self.deleteMembership(byEmail[$0.lowercased()], email: $0, as: role)
        }
    }
}
