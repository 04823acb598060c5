using System.Globalization;
using BoMrl.Environments;
using BoMrl.Policies;
using BoMrl.Runs;

// Loads a trained run, adapts its meta-policy to one new task with the run's own method (BO-MRL's eq. (7) solve, MAML's
// step, ...), and runs the adapted policy's mean action for one episode.
// Usage: AdaptAndRun RUN-FOLDER [task parameters...]   (e.g. a navigation2d run and a goal: 0.3 -0.2; default: a drawn task)
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: AdaptAndRun RUN-FOLDER [task parameters...]");
    return 2;
}

var learner = TrainedRun.Load(args[0]);
ITaskDistribution family = learner.TaskDistribution;
double[] task = args.Length > 1 ? [.. args[1..].Select(a => double.Parse(a, CultureInfo.InvariantCulture))] : family.SampleTask(new Random(7));
var trace = learner.AdaptTo([task], steps: 1, seed: 7);
double[] adapted = trace.Adapted[0];

var policy = (GaussianMlpPolicy)learner.Policy;
IEnvironment env = family.CreateEnvironment(task);
var observation = new double[env.ObservationSize];
env.Reset(new Random(7), observation);
double total = 0;
for (int t = 0; t < family.Horizon; t++)
{
    StepOutcome outcome = env.Step(policy.MeanAction(adapted, observation), observation);
    total += outcome.Reward;
    if (outcome.Terminated)
    {
        break;
    }
}

(env as IDisposable)?.Dispose();
Console.WriteLine($"task [{string.Join(", ", task.Select(x => x.ToString("G4", CultureInfo.InvariantCulture)))}]: sampled return " +
    $"{trace.Returns[0][0]:F2} before adaptation, {trace.Returns[1][0]:F2} after; the adapted policy's mean actions: {total:F2}");
return 0;
