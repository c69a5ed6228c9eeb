using FsCheck;
using FsCheck.Fluent;

namespace Daos.Common.Tests;

public sealed class ObjectIdTests
{
    private static readonly ObjectType[] Types =
        Enum.GetValues<ObjectType>();

    [Fact]
    public void Bit_layout_round_trips_for_every_class_and_type()
    {
        var random = new DeterministicRandom(7);
        foreach (ObjectClass c in ObjectClass.All)
        {
            foreach (ObjectType t in Types)
            {
                ulong lo = random.NextUInt64();
                uint user = (uint)random.NextUInt64();
                ObjectId id = ObjectId.Create(t, c, lo, user);
                Assert.Equal(t, id.Type);
                Assert.Equal(c, id.Class);
                Assert.Equal(lo, id.Lo);
                Assert.Equal(user, id.HiUser);
                Assert.Equal((ulong)t, id.Hi >> 56);
                Assert.Equal((ulong)c.RedundancyCode, (id.Hi >> 48) & 0xFF);
                Assert.Equal((ulong)c.GroupCount, (id.Hi >> 32) & 0xFFFF);
                Assert.Equal(id, ObjectId.Parse(id.ToString()));
            }
        }
    }

    [Fact]
    public void Parse_and_ToString_round_trip_for_arbitrary_class_bits() =>
        Prop.ForAll((ulong lo, uint user) =>
        {
            ObjectId id = ObjectId.Create(ObjectType.Array, ObjectClass.RP_3G1, lo, user);
            return ObjectId.Parse(id.ToString()) == id;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Prints_hi_and_lo_in_hex()
    {
        ObjectId id = ObjectId.Create(ObjectType.KeyValue, ObjectClass.S1, 0x2a);
        Assert.Equal("801000100000000.2a", id.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData(".12")]
    [InlineData("12.")]
    [InlineData("xyz.1")]
    [InlineData("1.2.3")]
    [InlineData("10000000000000000.1")]
    [InlineData("0002000000000000.1")]
    public void Malformed_text_is_rejected_naming_the_value(string text)
    {
        var e = Assert.Throws<DaosException>(() => ObjectId.Parse(text));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_rejects_undefined_type_and_unknown_class()
    {
        Assert.Equal(DaosError.InvalidArgument,
            Assert.Throws<DaosException>(() => ObjectId.Create((ObjectType)1, ObjectClass.S1, 1)).Error);
        Assert.Equal(DaosError.InvalidArgument,
            Assert.Throws<DaosException>(() => ObjectId.Create(ObjectType.Array, ObjectClass.Unknown, 1)).Error);
    }
}
