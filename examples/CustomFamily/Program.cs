using BoMrl.Configuration;
using BoMrl.Runs;
using CustomFamily;

// A task family of this program's own (LineTasks.cs), registered without editing the library, then meta-trained with
// BO-MRL from C#. The same family trains from a JSON config and the command line: line1d.json names this assembly in
// env.assembly, so `bomrl train --config line1d.json --out runs/line1d-cli` finds the family.
// Usage: CustomFamily [run folder] [meta-iterations]
TaskDistributions.Register(new LineTasksFamily());
string run = args.Length > 0 ? args[0] : "runs/line1d";
int iterations = args.Length > 1 ? int.Parse(args[1]) : 30;
TrainConfig config = ConfigLoader.Parse($$"""
    { "env": { "name": "line1d" }, "iterations": {{iterations}}, "policy": { "hidden_sizes": [16, 16] },
      "sampler": { "meta_batch_size": 10, "episodes_per_task": 10, "normalize_advantages": false },
      "algorithm": { "name": "bomrl", "distance": "kl2", "lambda": 0.5 } }
    """);
Trainer.Train(config, run, p => Console.WriteLine($"iteration {p.Completed}/{p.Total}: return after adaptation {p.Row.PostReturn:F2}"));
var test = TrainedRun.Load(run).MetaTest(steps: 2, tasks: 10, seed: config.Seed);
Console.WriteLine($"meta-test, mean return after 0..2 adaptation steps: {string.Join(", ", test.ReturnsByStep.Select(r => r.ToString("F2")))}");
