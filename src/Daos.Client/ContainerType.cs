namespace Daos.Client;

/// <summary>The container layout type, as DAOS's <c>layout_type</c> property.</summary>
public enum ContainerType
{
    /// <summary>Not declared.</summary>
    Unknown = 0,

    /// <summary>A POSIX namespace (libdfs).</summary>
    Posix = 1,

    /// <summary>HDF5.</summary>
    Hdf5 = 2,

    /// <summary>Python.</summary>
    Python = 3,

    /// <summary>Spark.</summary>
    Spark = 4,

    /// <summary>A database.</summary>
    Database = 5,

    /// <summary>ROOT.</summary>
    Root = 6,

    /// <summary>Seismic data.</summary>
    Seismic = 7,

    /// <summary>Meteorological data.</summary>
    Meteo = 8,
}
