using System.Text;

namespace BoMrl.Environments.FrozenLake;

/// <summary>
/// One Frozen Lake map: an N×N grid (state s = row·N + col, row 0 on top, as gym), start at (0, 0), goal at
/// (N−1, N−1), and holes. Generation follows gym's generate_random_map with the hole probability p: every other
/// cell is a hole independently with probability p; a map without a 4-neighbour path from start to goal that avoids
/// holes is discarded and redrawn (the start and goal are never holes).
/// </summary>
public sealed class FrozenLakeMap
{
    private readonly bool[] _holes;

    /// <summary>Side length N ≥ 2.</summary>
    public int Size { get; }

    /// <summary>Start state (0, 0).</summary>
    public int Start => 0;

    /// <summary>Goal state (N−1, N−1).</summary>
    public int Goal => Size * Size - 1;

    /// <summary>Creates a map from hole flags (length N²); start and goal must not be holes.</summary>
    public FrozenLakeMap(int size, bool[] holes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        ArgumentNullException.ThrowIfNull(holes);
        ArgumentOutOfRangeException.ThrowIfNotEqual(holes.Length, size * size, nameof(holes));
        Size = size;
        _holes = (bool[])holes.Clone();
        if (_holes[Start] || _holes[Goal])
        {
            throw new ArgumentException("start and goal cannot be holes", nameof(holes));
        }
    }

    /// <summary>True when cell <paramref name="state"/> is a hole.</summary>
    public bool IsHole(int state) => _holes[state];

    /// <summary>Number of holes.</summary>
    public int HoleCount => _holes.Count(h => h);

    /// <summary>True when the goal is reachable from the start through 4-neighbours that are not holes.</summary>
    public bool HasPath()
    {
        int n = Size;
        bool[] seen = new bool[n * n];
        var stack = new Stack<int>();
        stack.Push(Start);
        seen[Start] = true;
        while (stack.Count > 0)
        {
            int s = stack.Pop();
            if (s == Goal)
            {
                return true;
            }

            int r = s / n;
            int c = s % n;
            foreach ((int dr, int dc) in (ReadOnlySpan<(int, int)>)[(1, 0), (0, 1), (-1, 0), (0, -1)])
            {
                int rr = r + dr;
                int cc = c + dc;
                if (rr < 0 || rr >= n || cc < 0 || cc >= n)
                {
                    continue;
                }

                int t = rr * n + cc;
                if (!seen[t] && !_holes[t])
                {
                    seen[t] = true;
                    stack.Push(t);
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Draws a map: holes i.i.d. with probability <paramref name="holeProbability"/> ∈ [0, 1) off start and goal,
    /// redrawn until start and goal are connected. Throws after 100 000 draws (p too high for this size).
    /// </summary>
    public static FrozenLakeMap Sample(int size, double holeProbability, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        ArgumentNullException.ThrowIfNull(rng);
        if (!double.IsFinite(holeProbability) || holeProbability < 0 || holeProbability >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(holeProbability), holeProbability, "the hole probability must be in [0, 1).");
        }

        bool[] holes = new bool[size * size];
        for (int attempt = 0; attempt < 100_000; attempt++)
        {
            for (int s = 1; s < holes.Length - 1; s++)
            {
                holes[s] = rng.NextDouble() < holeProbability;
            }

            var map = new FrozenLakeMap(size, holes);
            if (map.HasPath())
            {
                return map;
            }
        }

        throw new ArgumentException($"no {size}×{size} map with a path from start to goal in 100000 draws at hole probability {holeProbability}; lower it.");
    }

    /// <summary>Gym's text form, rows top to bottom: S start, G goal, H hole, F frozen.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int r = 0; r < Size; r++)
        {
            if (r > 0)
            {
                sb.Append('/');
            }

            for (int c = 0; c < Size; c++)
            {
                int s = r * Size + c;
                sb.Append(s == Start ? 'S' : s == Goal ? 'G' : _holes[s] ? 'H' : 'F');
            }
        }

        return sb.ToString();
    }
}
