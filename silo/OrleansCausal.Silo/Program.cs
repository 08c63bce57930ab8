Console.Error.WriteLine("The OrleansCausal silo is not built yet.");
return 1;
