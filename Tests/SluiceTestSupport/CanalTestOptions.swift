import CanalProtocol

/// Canal options that drop warnings instead of printing them.
public func quietOptions(forClients: Bool = true) -> CanalOptions {
  var o = CanalOptions()
  o.forClients = forClients
  o.onWarning = { _ in }
  return o
}
