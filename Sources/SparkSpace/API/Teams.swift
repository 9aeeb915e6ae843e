#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Space {
    /// The teams the token's owner belongs to (at most `limit`, nil: all).
    public func teams(limit: Int? = nil, as role: TokenRole = .bot) throws -> [Team] {
        var pages = try client(role).list("teams", query: [("max", String(Self.pageSize(for: limit)))])
        return try Team.list(pages.collect(limit: limit))
    }

    /// A team by id, or by exact name (seed `get_team`). A name matching several teams is
    /// `ambiguous` (with their ids); none is `notFound`.
    public func team(_ reference: String, as role: TokenRole = .bot) throws -> Team {
        if isWebexId(reference) { return try Team(json: fetch(.team, id: reference, as: role)) }
        let all = try teams(as: role)
        guard let found = try Self.team(named: reference, in: all) else {
            throw SparkError.notFound(kind: .teamNamed, name: reference,
                                      suggestions: closestTitles(to: reference, among: all.map(\.name)))
        }
        return found
    }

    /// The team with exactly this name, nil when none; `ambiguous` when several.
    public func team(named name: String, as role: TokenRole = .bot) throws -> Team? {
        try Self.team(named: name, in: try teams(as: role))
    }

    static func team(named name: String, in teams: [Team]) throws -> Team? {
        try single(teams.filter { $0.name == name }, .teamNamed, name)
    }

    /// Creates a team (Webex also creates its general room, titled like the team).
    public func createTeam(name: String, description: String? = nil, as role: TokenRole = .bot) throws -> Team {
        var body: [String: JSON] = ["name": .string(name)]
        if let description { body["description"] = .string(description) }
        let started = Date()
        return try create(at: "teams", body, as: role) {
            try createdTeam(name: name, since: started, as: role)
        }
    }
}
