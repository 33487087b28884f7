using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Crm.Storage.EfCore.Entities;

/// <summary>
/// Stores an enum as its lower-case name (<c>pending</c>, <c>open</c>, <c>inbound</c>): the one mapping between the
/// code's states and the database's, so stores compare enums, never string literals. Raw SQL (the providers' claim
/// statement, the launch snapshot) spells the same names.
/// </summary>
internal sealed class LowerCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(v => v.ToString().ToLowerInvariant(), v => Enum.Parse<TEnum>(v, true))
    where TEnum : struct, Enum;
