// The OrleansCausal silo: one region's HTTP gateway, record actors and store. With no arguments it serves the
// single region "local" on http://127.0.0.1:5080 from ./data/local.db. Configure with --Region, --Store, --Urls,
// --Context:SigningKey, --Namespaces:{name}:Resolver, --Auth:ApiKeys:0, --Peers:{Region} (or OrleansCausal__* env vars).
using OrleansCausal.Gateway;

var app = SiloApplication.Build(args);
await app.RunAsync();
