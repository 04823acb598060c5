using BoMrl.Configuration;
using BoMrl.Runs;

// Meta-trains BO-MRL (D2, the KL distance of eq. (7), λ = 0.5) on 2D navigation, then meta-tests it on new tasks.
// Usage: TrainBuiltIn [run folder] [meta-iterations] [tasks per meta-iteration] [test tasks]
string run = args.Length > 0 ? args[0] : "runs/navigation-bomrl";
int iterations = args.Length > 1 ? int.Parse(args[1]) : 100, tasks = args.Length > 2 ? int.Parse(args[2]) : 20;
int testTasks = args.Length > 3 ? int.Parse(args[3]) : 40;
TrainConfig config = ConfigLoader.Parse($$"""
    { "env": { "name": "navigation2d" }, "iterations": {{iterations}},
      "sampler": { "meta_batch_size": {{tasks}}, "normalize_advantages": false },
      "algorithm": { "name": "bomrl", "distance": "kl2", "lambda": 0.5 } }
    """);
Trainer.Train(config, run, p => Console.WriteLine($"iteration {p.Completed}/{p.Total}: return after adaptation {p.Row.PostReturn:F1}"));
var test = TrainedRun.Load(run).MetaTest(steps: 3, tasks: testTasks, seed: config.Seed);
Console.WriteLine($"meta-test, mean return after 0..3 adaptation steps: {string.Join(", ", test.ReturnsByStep.Select(r => r.ToString("F1")))}");
