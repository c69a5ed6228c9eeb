using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Daos.Vos.Tests")]
[assembly: InternalsVisibleTo("Daos.Bench")]
