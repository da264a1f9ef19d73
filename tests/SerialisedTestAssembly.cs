// Included (Directory.Build.props) in every test project that sets SerialiseTests: those that use TorchSharp.
// Test classes run one after another. TorchSharp passes implicit Scalar temporaries to native code
// without keeping them alive, so under the GC pressure of parallel test classes a finalizer can free a
// Scalar mid-call (seen here as "toLong: Expected false to be true" in Release builds). Sequential
// classes still use both cores inside libtorch and ONNX Runtime.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
