namespace BoMrl.Environments.Mujoco;

/// <summary>
/// MuJoCo 2.2.2 could not be loaded. The message is one sentence naming the apt package
/// (<c>apt-get install libmujoco2.2.2</c>); the CLI prints it as is.
/// </summary>
public sealed class MujocoNotAvailableException(string message) : Exception(message);

/// <summary>MuJoCo rejected a model file or a simulation became numerically unstable; the message carries MuJoCo's text.</summary>
public sealed class MujocoException(string message) : Exception(message);
