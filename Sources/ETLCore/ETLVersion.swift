/// The version of etl, as `etl --version` prints it and manifests record it.
public enum ETLVersion {
    public static let current = "0.2.0"
}
