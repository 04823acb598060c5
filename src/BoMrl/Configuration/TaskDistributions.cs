using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Environments.Navigation;

namespace BoMrl.Configuration;

/// <summary>
/// The one place where a benchmark name from a config (<c>env.name</c>, <c>env.variant</c>) becomes an
/// <see cref="ITaskDistribution"/>: the built-in families, and the <see cref="ITaskFamily"/> families a program
/// registers (<see cref="Register"/>) or a config names by assembly (<see cref="RegisterFrom"/>).
/// </summary>
public static class TaskDistributions
{
    private static readonly string[] s_builtIn = [Navigation2DTasks.FamilyName, .. LocomotionTasks.Names];
    private static readonly ConcurrentDictionary<string, ITaskFamily> s_registered = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Assembly> s_loaded = new(StringComparer.Ordinal);

    /// <summary>The names of the families the library defines.</summary>
    public static IReadOnlyList<string> BuiltInNames => s_builtIn;

    /// <summary>Every family name <see cref="Create"/> knows, as configs spell them: the built-in ones, then the registered.</summary>
    public static IReadOnlyList<string> Names => [.. s_builtIn, .. s_registered.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Adds <paramref name="family"/> under its <see cref="ITaskFamily.Name"/>. Registering the same class again is a
    /// no-op; a built-in name, an empty name, or a name another class holds throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void Register(ITaskFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        string name = family.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"task family {family.GetType().FullName} has an empty name", nameof(family));
        }

        if (s_builtIn.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{name}' is a built-in task family; give {family.GetType().FullName} another name", nameof(family));
        }

        ITaskFamily held = s_registered.GetOrAdd(name, family);
        if (held.GetType() != family.GetType())
        {
            throw new ArgumentException($"task family '{name}' is already registered by {held.GetType().FullName}", nameof(family));
        }
    }

    /// <summary>
    /// Loads the assembly at <paramref name="assemblyPath"/> (once per path; its own dependencies are resolved from its
    /// folder) and registers every public, non-abstract <see cref="ITaskFamily"/> class in it that has a public
    /// parameterless constructor; returns their names. Throws <see cref="ArgumentException"/> (ParamName "assembly")
    /// when the file is missing, is not a .NET assembly, or defines no family.
    /// </summary>
    public static IReadOnlyList<string> RegisterFrom(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        string path = Path.GetFullPath(assemblyPath);
        Assembly assembly = s_loaded.GetOrAdd(path, Load);
        Type[] families = assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITaskFamily).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal).ToArray();
        if (families.Length == 0)
        {
            throw new ArgumentException($"{path} defines no public {nameof(ITaskFamily)} class with a parameterless constructor", "assembly");
        }

        var names = new List<string>();
        foreach (Type t in families)
        {
            var family = (ITaskFamily)Activator.CreateInstance(t)!;
            Register(family);
            names.Add(family.Name);
        }

        return names;
    }

    /// <summary>
    /// Creates the task distribution called <paramref name="name"/>. <paramref name="variant"/> selects a published
    /// variant of the family (null: the family's default); <paramref name="horizon"/> overrides the family's episode
    /// cap (null: the family's default). Throws <see cref="ArgumentException"/> whose ParamName is "name" or "variant"
    /// when either is unknown, or the variant does not define that family (ProMP has no ant-vel).
    /// </summary>
    /// <remarks>
    /// navigation2d: variants pytorch-maml-rl (default) and maml, horizon 100. halfcheetah-vel, halfcheetah-dir,
    /// ant-vel, ant-dir: variants pytorch-maml-rl (default), promp and maml, horizon 200 (the paper's Section 6);
    /// these load libmujoco on first use and throw <see cref="MujocoNotAvailableException"/> when it is missing.
    /// A registered family gets the variant as given (the config's default is pytorch-maml-rl).
    /// </remarks>
    public static ITaskDistribution Create(string name, string? variant = null, int? horizon = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            Navigation2DTasks.FamilyName => new Navigation2DTasks(horizon ?? 100, actionMapping: NavigationVariant(variant)),
            LocomotionTasks.HalfCheetahVel or LocomotionTasks.HalfCheetahDir or LocomotionTasks.AntVel or LocomotionTasks.AntDir =>
                LocomotionTasks.Create(name, variant is null ? LocomotionVariant.PytorchMamlRl : LocomotionTasks.ParseVariant(variant),
                    horizon ?? LocomotionTasks.PaperHorizon),
            _ when s_registered.TryGetValue(name, out ITaskFamily? family) => family.Create(variant, horizon),
            _ => throw new ArgumentException($"unknown environment '{name}' (known: {string.Join(", ", Names)}; " +
                "a family of your own: register it, or name its assembly in env.assembly)", nameof(name)),
        };
    }

    private static NavigationActionMapping NavigationVariant(string? variant) => variant switch
    {
        null or "pytorch-maml-rl" => NavigationActionMapping.Clip,
        "maml" => NavigationActionMapping.ScaleThenClip,
        _ => throw new ArgumentException($"unknown navigation2d variant '{variant}' (known: pytorch-maml-rl, maml)", nameof(variant)),
    };

    private static Assembly Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"no such assembly {path}", "assembly");
        }

        AssemblyName name;
        try
        {
            name = AssemblyName.GetAssemblyName(path);
        }
        catch (BadImageFormatException)
        {
            throw new ArgumentException($"{path} is not a .NET assembly", "assembly");
        }

        // A program that names its own assembly (or one it already loaded) gets the loaded one: one type identity.
        Assembly? loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name) && a.GetName().Name == name.Name);
        if (loaded is not null)
        {
            return loaded;
        }

        // Its own dependencies (from its .deps.json, else its folder) load beside it when the program lacks them.
        string folder = Path.GetDirectoryName(path)!;
        AssemblyDependencyResolver? resolver = null;
        try
        {
            resolver = new AssemblyDependencyResolver(path);
        }
        catch (InvalidOperationException)
        {
            // no usable .deps.json: the folder alone
        }

        AssemblyLoadContext.Default.Resolving += (context, wanted) =>
            resolver?.ResolveAssemblyToPath(wanted) is { } found ? context.LoadFromAssemblyPath(found)
            : File.Exists(Path.Combine(folder, wanted.Name + ".dll")) ? context.LoadFromAssemblyPath(Path.Combine(folder, wanted.Name + ".dll"))
            : null;
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
        catch (FileLoadException e)
        {
            throw new ArgumentException($"cannot load {path}: {e.Message}", "assembly");
        }
    }
}
