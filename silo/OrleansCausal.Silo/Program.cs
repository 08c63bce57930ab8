// The OrleansCausal silo: an Orleans silo of one region's cluster co-hosting the HTTP gateway and the replicator.
// With no arguments it serves the single region "local" on http://127.0.0.1:5080 from ./data/local.db. Configure with
// --Region, --Store, --Urls, --Context:SigningKey, --Namespaces:{name}:Resolver, --Auth:ApiKeys:0, --Peers:{Region},
// --Orleans:SiloPort (or OrleansCausal__* env vars). It also hosts the compliance-status example grain.
using OrleansCausal.Examples.Compliance;
using OrleansCausal.Gateway;

var app = SiloApplication.Build(args, configure: null, configureServices: services => services.AddComplianceStatusExample());
await app.RunAsync();
