using BoMrl.Numerics;

namespace BoMrl.Sampling;

/// <summary>
/// Episodes of one task collected by one policy, stored padded to the horizon, row-major by
/// (episode, step). Step t of episode e is valid when t &lt; Lengths[e]. Filled by the sampler; the
/// advantage estimator fills <see cref="Returns"/> and <see cref="Advantages"/>.
/// </summary>
public sealed class TrajectoryBatch
{
    /// <summary>Allocates an empty batch of the given shape.</summary>
    public TrajectoryBatch(int episodes, int horizon, int observationSize, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        Episodes = episodes;
        Horizon = horizon;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        Observations = new double[episodes * horizon * observationSize];
        Actions = new double[episodes * horizon * actionSize];
        Rewards = new double[episodes * horizon];
        Returns = new double[episodes * horizon];
        Advantages = new double[episodes * horizon];
        Lengths = new int[episodes];
    }

    /// <summary>Number of episodes.</summary>
    public int Episodes { get; }

    /// <summary>Steps per episode at most.</summary>
    public int Horizon { get; }

    /// <summary>Observation length.</summary>
    public int ObservationSize { get; }

    /// <summary>Action length.</summary>
    public int ActionSize { get; }

    /// <summary>Observations o_t (episodes × horizon × observationSize).</summary>
    public double[] Observations { get; }

    /// <summary>Actions a_t as sampled (episodes × horizon × actionSize).</summary>
    public double[] Actions { get; }

    /// <summary>Rewards r_t (episodes × horizon); zero past an episode's end.</summary>
    public double[] Rewards { get; }

    /// <summary>Discounted reward-to-go (Monte-Carlo Q̂ estimate) per step.</summary>
    public double[] Returns { get; }

    /// <summary>Advantage estimates Â per step (GAE over the linear baseline, optionally normalised).</summary>
    public double[] Advantages { get; }

    /// <summary>Valid steps per episode.</summary>
    public int[] Lengths { get; }

    /// <summary>The task parameters the batch was collected on.</summary>
    public double[] Task { get; set; } = [];

    /// <summary>Total number of valid steps.</summary>
    public int ValidSteps
    {
        get
        {
            int n = 0;
            foreach (int l in Lengths)
            {
                n += l;
            }

            return n;
        }
    }

    /// <summary>Mean over episodes of the undiscounted episode return Σ_t r_t (what the paper's figures plot).</summary>
    public double MeanEpisodeReturn()
    {
        double total = 0;
        for (int e = 0; e < Episodes; e++)
        {
            total += FixedOrder.Sum(Rewards.AsSpan(e * Horizon, Lengths[e]));
        }

        return total / Episodes;
    }
}
