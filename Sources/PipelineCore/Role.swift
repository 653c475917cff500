/// What a workbench user may do: viewers look, reviewers also decide (approve, reject, retry),
/// admins also run what changes the pipeline itself.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case viewer, reviewer, admin

    public var mayDecide: Bool { self >= .reviewer }
    public var mayAdminister: Bool { self >= .admin }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .reviewer: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}
