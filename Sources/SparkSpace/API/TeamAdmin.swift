#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Space {
    /// Renames a team (`PUT /teams/{id}`: Webex needs the name, so the current one is sent when only
    /// the description changes).
    public func updateTeam(id: String, name: String, description: String? = nil, as role: TokenRole = .bot) throws -> Team {
        var body: [String: JSON] = ["name": .string(name)]
        if let description { body["description"] = .string(description) }
        return try existing(.team, id: id) {
            try Team(json: client(role).put(WebexClient.path(.team, id, check: .asTyped), .object(body)))
        }
    }

    /// Deletes a team.
    public func deleteTeam(id: String, as role: TokenRole = .bot) throws {
        try existing(.team, id: id) { try client(role).delete(WebexClient.path(.team, id, check: .asTyped)) }
    }

    /// Every membership of a team (`/team/memberships`), all pages.
    public func teamMemberships(teamId: String, as role: TokenRole = .bot) throws -> [Membership] {
        try existing(.team, id: teamId) {
            var pages = try client(role).list("team/memberships", query: [("teamId", teamId), ("max", String(Self.maxPage))])
            // A foreign item (another team's membership) is never acted on.
            return try Membership.list(pages.collect()).filter { $0.teamId == teamId }
        }
    }

    /// Adds people to a team, as `addParticipants` does to a room: already a member (409) is
    /// `unchanged`; with `moderator`, a member who is not one is made one (`updated`), since a
    /// team membership has no other command to set it.
    public func addTeamMembers(teamId: String, emails: [String], moderator: Bool = false, as role: TokenRole = .bot,
                               onResult: ((ParticipantResult) -> Void)? = nil) -> [ParticipantResult] {
        let members: [String: Membership]
        do { members = try dryRunMembers(of: teamId) { try teamMemberships(teamId: teamId, as: role) } } catch {
            return concurrentMap(emails, workers: 1, onResult: onResult.map { f in { f($1) } }) {
                ParticipantResult(email: $0, status: .failed, error: error)
            }
        }
        return concurrentMap(emails, workers: Self.bulkWorkers, onResult: onResult.map { f in { f($1) } }) { email in
            do {
                if let member = members[email.lowercased()] {
                    return try self.teamMember(member, email: email, moderator: moderator, as: role)
                }
                do {
                    let membership = try self.createTeamMembership(teamId: teamId, email: email, moderator: moderator, as: role)
                    return ParticipantResult(email: email, status: .added, membership: membership)
                } catch SparkError.api(let f) where f.status == 409 {
                    guard moderator else { return ParticipantResult(email: email, status: .unchanged) }
                    let member = try self.teamMemberships(teamId: teamId, as: role)
                        .first { $0.personEmail?.lowercased() == email.lowercased() }
                    guard let member else { return ParticipantResult(email: email, status: .unchanged) }
                    return try self.teamMember(member, email: email, moderator: moderator, as: role)
                }
            } catch {
                return ParticipantResult(email: email, status: .failed, error: error)
            }
        }
    }

    /// A member already: made a moderator when asked and not one (`PUT /team/memberships/{id}`), else unchanged.
    private func teamMember(_ member: Membership, email: String, moderator: Bool, as role: TokenRole) throws -> ParticipantResult {
        guard moderator, !member.isModerator else { return ParticipantResult(email: email, status: .unchanged, membership: member) }
        let updated = try Membership(json: client(role).put(try WebexClient.path(.teamMembership, member.id),
                                                            ["isModerator": true]))
        return ParticipantResult(email: email, status: .updated, membership: updated)
    }

    /// Removes people from a team: one listing of the team's memberships, then one DELETE per member;
    /// not a member is `unchanged`.
    public func removeTeamMembers(teamId: String, emails: [String], as role: TokenRole = .bot,
                                  onResult: ((ParticipantResult) -> Void)? = nil) throws -> [ParticipantResult] {
        let byEmail = Self.byEmail(try teamMemberships(teamId: teamId, as: role))
        return concurrentMap(emails, workers: Self.bulkWorkers, onResult: onResult.map { f in { f($1) } }) { email in
            guard let membership = byEmail[email.lowercased()] else {
                return ParticipantResult(email: email, status: .unchanged)
            }
            do {
                try self.client(role).delete(try WebexClient.path(.teamMembership, membership.id))
                return ParticipantResult(email: email, status: .removed, membership: membership)
            } catch SparkError.api(let f) where f.status == 404 {
                return ParticipantResult(email: email, status: .unchanged, membership: membership)
            } catch {
                return ParticipantResult(email: email, status: .failed, error: error)
            }
        }
    }

    /// Memberships keyed by lowercased `personEmail`.
    static func byEmail(_ memberships: [Membership]) -> [String: Membership] {
        var result: [String: Membership] = [:]
        for membership in memberships {
            if let email = membership.personEmail { result[email.lowercased()] = membership }
        }
        return result
    }

    /// Sets or clears the moderator flag of room members (`PUT /memberships/{id}`): one listing of the
    /// room's memberships for all e-mails; already so is `unchanged`, not a member `failed` (not found).
    public func setModerator(roomId: String, emails: [String], moderator: Bool, as role: TokenRole = .bot,
                             onResult: ((ParticipantResult) -> Void)? = nil) throws -> [ParticipantResult] {
        let byEmail = Self.byEmail(try memberships(roomId: roomId, as: role))
        return concurrentMap(emails, workers: Self.bulkWorkers, onResult: onResult.map { f in { f($1) } }) { email in
            guard let membership = byEmail[email.lowercased()] else {
                return ParticipantResult(email: email, status: .failed,
                                         error: SparkError.notFound(kind: .roomMember, name: email, suggestions: []))
            }
            if membership.isModerator == moderator {
                return ParticipantResult(email: email, status: .unchanged, membership: membership)
            }
            // The OpenAPI requires isRoomHidden too: keep the member's own.
            let body: JSON = ["isModerator": .bool(moderator),
                              "isRoomHidden": .bool(membership.isRoomHidden)]
            do {
                let updated = try Membership(json: self.client(role).put(try WebexClient.path(.membership, membership.id), body))
                return ParticipantResult(email: email, status: .updated, membership: updated)
            } catch {
                return ParticipantResult(email: email, status: .failed, error: error)
            }
        }
    }
}
