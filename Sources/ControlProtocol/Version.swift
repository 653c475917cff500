/// The release, as `photopiped --version`, `pipectl --version` and `status` say it.
public let photopipeVersion = "0.1.0"
